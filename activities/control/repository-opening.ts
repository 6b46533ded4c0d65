import { ApplicationFailure } from '@temporalio/activity';
import { backendFor } from '../common/open-repository.js';
import { toActivityFailure } from '../common/failures.js';
import { checkStorageReach } from '../../lib/common/storage-access/reach.js';
import { StorageAccessRefusedError } from '../../lib/common/storage-access/endpoints.js';
import { storageAccessPolicy } from '../../lib/common/storage-access/policy.js';
import { ObjectRetainedError, RepositoryNotFoundError } from '../../lib/datamover/errors.js';
import { describeStorageFailure, type StorageFailure } from '../../lib/datamover/storage/storage-failures.js';
import { AGENT_FAILURE_TYPES } from '../../proto/agent/index.js';
import { Repository } from '../../lib/datamover/repository/repository.js';
import type { StorageBackend } from '../../lib/datamover/storage/backend.js';
import type { ControlDeps } from './deps.js';
import { repositoryAccessActivities } from './repository-access.js';

export interface RepositoryRef {
  orgId: string;
  storageTargetId: string;
}

/** Failure types of storage failures, the agent's where it has one for the same thing. */
const STORAGE_FAILURE_TYPES: Record<StorageFailure['kind'], string> = {
  'access-denied': AGENT_FAILURE_TYPES.storageAccessDenied,
  'no-bucket': AGENT_FAILURE_TYPES.storageBucketMissing,
  timeout: 'STORAGE_TIMEOUT',
  unreachable: 'STORAGE_UNREACHABLE',
  tls: 'STORAGE_TLS_UNTRUSTED',
  'not-s3': 'STORAGE_ANSWER_NOT_S3',
  'too-large': 'STORAGE_ANSWER_TOO_LARGE',
  http: 'STORAGE_HTTP_ERROR',
};

/**
 * Data mover and storage errors as the agent's activities report them (stable types, refused keys and
 * missing buckets final: retrying cannot fix them), plus what a lock means here.
 */
export function asFailure(error: unknown, ref: RepositoryRef): unknown {
  if (error instanceof ObjectRetainedError) {
    return ApplicationFailure.nonRetryable(`${error.message}: SafeLock (Object Lock) keeps it until then`, error.code);
  }
  // A connection found the endpoint's name resolving, by now, to an address the installation does not allow.
  if (error instanceof StorageAccessRefusedError) return ApplicationFailure.nonRetryable(`storage target ${ref.storageTargetId}: ${error.message}`, 'STORAGE_ACCESS_REFUSED');
  // The endpoint was reached from inside the installation's network: only the kind of failure goes back.
  const storage = describeStorageFailure(error);
  if (storage) {
    return ApplicationFailure.create({ message: `storage target ${ref.storageTargetId}: ${storage.message}`, type: STORAGE_FAILURE_TYPES[storage.kind], nonRetryable: !storage.retryable });
  }
  return toActivityFailure(error, "the storage target's repository");
}
/**
 * A storage target's repository as the control plane may reach it: the tenant chose its endpoint or
 * path, and this process holds other tenants' secrets and the installation's network position. The
 * worker decrypts the repository secret itself (HAVEN_SECRET_KEY), so it travels nowhere.
 */
export function repositoryOpener(deps: ControlDeps) {
  const resolve = repositoryAccessActivities(deps).resolveRepositoryAccess;
  const storageAccess = deps.storageAccess ?? storageAccessPolicy(process.env);

  async function backendOf(ref: RepositoryRef): Promise<{ backend: StorageBackend; secret: string }> {
    const access = await resolve({ ...ref, retention: { days: 0, safeLock: false } });
    try {
      await checkStorageReach(storageAccess, ref.orgId, access);
    } catch (error) {
      if (error instanceof StorageAccessRefusedError) throw ApplicationFailure.nonRetryable(`storage target ${ref.storageTargetId}: ${error.message}`, 'STORAGE_ACCESS_REFUSED');
      throw error;
    }
    return { backend: await backendFor(access, { limits: deps.storageLimits, lookup: storageAccess.endpoints.lookup, refuseLinks: true }), secret: access.secret };
  }

  /** Undefined when the target's repository was never created: nothing is stored there. */
  async function open({ backend, secret }: { backend: StorageBackend; secret: string }): Promise<Repository | undefined> {
    try {
      return await Repository.open(backend, secret);
    } catch (error) {
      if (error instanceof RepositoryNotFoundError) return undefined;
      throw error;
    }
  }

  return { backendOf, open };
}
