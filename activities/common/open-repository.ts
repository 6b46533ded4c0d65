import type { RepositoryAccess } from '../../proto/agent/index.js';
import { backendFor, type UntrustedStorageOptions } from '../../lib/datamover/storage/access-backend.js';
import { RepositoryExistsError, RepositoryNotFoundError } from '../../lib/datamover/errors.js';
import { Repository } from '../../lib/datamover/repository/repository.js';

export { backendFor, type UntrustedStorageOptions };

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
