import { dirname } from 'node:path';
import { StorageAccessRefusedError } from './endpoints.js';
import { checkFilesystemPathOnDisk } from './filesystem-root.js';
import type { StorageAccessPolicy } from './policy.js';

/** Where a repository is, as a storage target's repository access says it. */
export interface RepositoryLocation {
  location: string;
  s3?: { endpoint: string; accessKeyId: string } | undefined;
}

/**
 * Throws StorageAccessRefusedError when the control plane must not open this repository: an S3 endpoint
 * on an internal address the installation does not allow, an S3 target without keys (the control plane's
 * own credentials would be used) unless allowed, a filesystem target outside its organization's directory.
 */
export async function checkStorageReach(policy: StorageAccessPolicy, orgId: string, access: RepositoryLocation): Promise<void> {
  if (access.s3) {
    await policy.endpoints.check(access.s3.endpoint);
    if (!access.s3.accessKeyId && !policy.allowAmbientCredentials) {
      throw new StorageAccessRefusedError('the target has no access key, and this installation does not lend its own credentials (HAVEN_ALLOW_AMBIENT_S3_CREDENTIALS)');
    }
    return;
  }
  await checkFilesystemPathOnDisk(policy.filesystemRoot, orgId, dirname(access.location));
}
