import type { LookupFunction } from 'node:net';
import { openBackend } from '../cli/target.js';
import type { StorageBackend } from './backend.js';
import type { StorageRequestLimits } from './request-limits.js';

/** Where a storage target's repository is and its keys: the shape of the agent contract's RepositoryAccess. */
export interface AccessLocation {
  location: string;
  s3?: { endpoint: string; region: string; pathStyle: boolean; accessKeyId: string; secretAccessKey: string } | undefined;
  retentionDays?: number | undefined;
}

/**
 * How the control plane reaches a tenant's storage, which the tenant controls: request bounds, a resolver
 * that refuses internal addresses, and no symbolic links followed in a directory repository.
 */
export interface UntrustedStorageOptions {
  limits?: StorageRequestLimits;
  lookup?: LookupFunction;
  refuseLinks?: boolean;
}

/** The storage backend of a repository location, with the target's credentials and SafeLock retention. */
export function backendFor(access: AccessLocation, options: UntrustedStorageOptions = {}): Promise<StorageBackend> {
  return openBackend({
    repository: access.location,
    s3Endpoint: access.s3?.endpoint,
    s3Region: access.s3?.region ?? 'us-east-1',
    s3PathStyle: access.s3?.pathStyle ?? false,
    s3AccessKeyId: access.s3?.accessKeyId,
    s3SecretAccessKey: access.s3?.secretAccessKey,
    retentionDays: access.retentionDays,
    ...options,
  });
}
