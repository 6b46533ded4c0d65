import type { LookupFunction } from 'node:net';
import type { RepositoryAccess } from '../../proto/agent/index.js';
import { openBackend } from '../../lib/datamover/cli/target.js';
import { RepositoryExistsError, RepositoryNotFoundError } from '../../lib/datamover/errors.js';
import { Repository } from '../../lib/datamover/repository/repository.js';
import type { StorageBackend } from '../../lib/datamover/storage/backend.js';
import type { StorageRequestLimits } from '../../lib/datamover/storage/request-limits.js';

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
export function backendFor(access: RepositoryAccess, options: UntrustedStorageOptions = {}): Promise<StorageBackend> {
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

/**
 * Opens the storage target's repository for reading (restores): a missing one is RepositoryNotFoundError,
 * never created, so a restore aimed at the wrong place cannot leave a new, empty repository behind.
 */
export async function openRepository(access: RepositoryAccess): Promise<Repository> {
  return Repository.open(await backendFor(access), access.secret);
}

/**
 * Opens the storage target's repository, creating it on the first backup. Two first backups racing
 * both try to create it; the header is written create-if-absent, so the loser opens the winner's.
 */
export async function openOrInitRepository(access: RepositoryAccess): Promise<Repository> {
  const backend = await backendFor(access);
  try {
    return await Repository.open(backend, access.secret);
  } catch (error) {
    if (!(error instanceof RepositoryNotFoundError)) throw error;
  }
  try {
    return await Repository.init(backend, access.secret);
  } catch (error) {
    if (error instanceof RepositoryExistsError) return Repository.open(backend, access.secret);
    throw error;
  }
}
