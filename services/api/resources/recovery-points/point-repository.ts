import { Problem } from '../../../../lib/common/problem.js';
import { StorageAccessRefusedError } from '../../../../lib/common/storage-access/endpoints.js';
import type { StorageAccessPolicy } from '../../../../lib/common/storage-access/policy.js';
import { checkStorageReach } from '../../../../lib/common/storage-access/reach.js';
import type { SecretKeyring } from '../../../../lib/common/secrets.js';
import { SnapshotBrowser } from '../../../../lib/datamover/browse/snapshot-browser.js';
import { DataMoverError, InvalidArgumentError, SnapshotNotFoundError } from '../../../../lib/datamover/errors.js';
import { Repository } from '../../../../lib/datamover/repository/repository.js';
import { backendFor } from '../../../../lib/datamover/storage/access-backend.js';
import { describeStorageFailure } from '../../../../lib/datamover/storage/storage-failures.js';
import type { StorageRequestLimits } from '../../../../lib/datamover/storage/request-limits.js';
import { readRepositorySecret } from '../../../../lib/db/storage-target-secrets.js';
import { targetRepository } from '../../../../lib/db/storage-target-repository.js';
import type { storageTargets } from '../../../../lib/db/schema/index.js';

/** Browsing reads only: no retention is set on anything. */
const READ_ONLY = { days: 0, safeLock: false };

/** How the API reaches tenants' repositories: the installation's storage rules and request bounds. */
export interface RepositoryReach {
  keyring: SecretKeyring;
  policy: StorageAccessPolicy;
  limits?: StorageRequestLimits;
}

/**
 * A repository failure as the API answers it. Storage the tenant points at is outside Haven, so failing
 * to read it is a 502 naming the target; the message is built by the data mover's own errors, or from the
 * kind of failure only (storage-failures.ts), never from what the endpoint sent.
 */
export function repositoryProblem(error: unknown, storageTargetId: string): Problem {
  if (error instanceof Problem) return error;
  if (error instanceof SnapshotNotFoundError) return new Problem('not-found', `the recovery point's data is no longer in storage target ${storageTargetId} (${error.message})`);
  if (error instanceof InvalidArgumentError) return new Problem('unprocessable', error.message);
  if (error instanceof StorageAccessRefusedError) return new Problem('storage-unavailable', `storage target ${storageTargetId}: ${error.message}`);
  const storage = describeStorageFailure(error);
  if (storage) return new Problem('storage-unavailable', `storage target ${storageTargetId}: ${storage.message}`);
  if (error instanceof DataMoverError) return new Problem('storage-unavailable', `storage target ${storageTargetId}: ${error.message}`);
  if ((error as NodeJS.ErrnoException | undefined)?.code?.startsWith('E')) return new Problem('storage-unavailable', `storage target ${storageTargetId}: its directory could not be read (${(error as NodeJS.ErrnoException).code})`);
  throw error;
}

/**
 * Opens one repository snapshot of a storage target for reading, in this process: the repository secret
 * is decrypted here and goes nowhere else, and the endpoint is checked and reached as every control-plane
 * connection to tenant storage is (allowed networks, bounded requests, no links followed).
 */
export async function openPointSnapshot(reach: RepositoryReach, target: typeof storageTargets.$inferSelect, snapshotId: string): Promise<SnapshotBrowser> {
  try {
    const secret = readRepositorySecret(reach.keyring, target);
    if (secret === null) throw new Problem('storage-unavailable', `storage target ${target.id} holds no repository yet`);
    const access = targetRepository(reach.keyring, target, secret, READ_ONLY);
    await checkStorageReach(reach.policy, target.orgId, access);
    const backend = await backendFor(access, { ...(reach.limits ? { limits: reach.limits } : {}), lookup: reach.policy.endpoints.lookup, refuseLinks: true });
    return await SnapshotBrowser.open(await Repository.open(backend, secret), snapshotId);
  } catch (error) {
    throw repositoryProblem(error, target.id);
  }
}
