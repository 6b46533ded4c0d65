import { ApplicationFailure, Context } from '@temporalio/activity';
import { backendFor } from '../common/open-repository.js';
import { toActivityFailure } from '../common/failures.js';
import { withHeartbeats } from '../common/heartbeats.js';
import { checkStorageReach } from '../../lib/common/storage-access/reach.js';
import { StorageAccessRefusedError } from '../../lib/common/storage-access/endpoints.js';
import { storageAccessPolicy } from '../../lib/common/storage-access/policy.js';
import { collectGarbage } from '../../lib/datamover/maintenance/gc.js';
import { lockSnapshots } from '../../lib/datamover/maintenance/lock-snapshots.js';
import { ObjectRetainedError, RepositoryNotFoundError } from '../../lib/datamover/errors.js';
import { describeStorageFailure, type StorageFailure } from '../../lib/datamover/storage/storage-failures.js';
import { AGENT_FAILURE_TYPES } from '../../proto/agent/index.js';
import { SNAPSHOTS_PREFIX, TOMBSTONES_PREFIX } from '../../lib/datamover/repository/layout.js';
import { Repository } from '../../lib/datamover/repository/repository.js';
import type { StorageBackend } from '../../lib/datamover/storage/backend.js';
import type { ControlDeps } from './deps.js';
import { withinBudget } from './maintenance-budget.js';
import { repositoryAccessActivities } from './repository-access.js';
import { DEFAULT_REPOSITORY_CONCURRENCY, repositoryPermits } from './repository-permits.js';
import { repositorySnapshotIds } from '../../lib/domain/recovery-point-contents.js';
import { expiryFrom, type RecoveryPointRecord } from './recovery-points.js';

export interface RepositoryRef {
  orgId: string;
  storageTargetId: string;
}

export interface GarbageCollection extends RepositoryRef {
  /** Skip the run unless a tombstone waits: a repository nothing was forgotten in has nothing new to condemn. */
  onlyIfPending: boolean;
  /** What is left of the target's budget in this pass (the worker's own budget caps it). */
  budgetMs: number;
}

export interface RunSnapshots extends RepositoryRef {
  jobId: string;
  /** When the run started: only snapshot objects the storage server received since are looked at. */
  since: string;
  /** The snapshots the run's recovery point records (none when the run recorded none). */
  keep: string[];
}

/** The storage server's clock and the run's start may disagree by this much. */
const RUN_START_ALLOWANCE_MS = 10 * 60_000;

export interface RecoveryPointLock {
  /** What every object the point needs now holds (COMPLIANCE retention): the point's expiry and lock. */
  lockedUntil: string;
  /** Objects the point needs, and those of them whose retention had to be set or extended. */
  objects: number;
  extended: number;
}

export interface GarbageReport {
  ran: boolean;
  condemnedPacks: number;
  deletedPacks: number;
  retainedPacks: number;
  reclaimedBytes: number;
  /** The target's maintenance budget ran out first: what was done stays, the next pass goes on. */
  stoppedAtBudget?: boolean;
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
function asFailure(error: unknown, ref: RepositoryRef): unknown {
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
 * Repository work of retention, in the control plane: a repository is shared by every cluster that backs
 * up to the target, so forgetting and GC must not depend on one cluster's agent being online, and an agent
 * (which the design does not trust) never gets to delete what other clusters stored. The worker decrypts
 * the repository secret itself (HAVEN_SECRET_KEY), so it travels nowhere.
 */
export function repositoryMaintenanceActivities(deps: ControlDeps) {
  const resolve = repositoryAccessActivities(deps).resolveRepositoryAccess;

  const storageAccess = deps.storageAccess ?? storageAccessPolicy(process.env);
  const inTurn = repositoryPermits(deps.repositoryConcurrency ?? DEFAULT_REPOSITORY_CONCURRENCY);

  /**
   * The target's storage, as the control plane may reach it: the tenant chose its endpoint or path, and
   * this process holds other tenants' secrets and the installation's network position.
   */
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

  /** One listing, before the repository is opened: opening derives its key (scrypt), which every pass would pay per target. */
  async function tombstoneWaits(backend: StorageBackend): Promise<boolean> {
    for await (const _tombstone of backend.list(TOMBSTONES_PREFIX)) return true;
    return false;
  }

  return {
    /**
     * Deletes the snapshot objects of a recovery point; its chunks stay until GC finds nothing references
     * them. Idempotent: a snapshot already gone counts as forgotten.
     */
    async forgetRepositorySnapshots(input: RepositoryRef & { snapshotIds: string[] }): Promise<number> {
      try {
        return await withHeartbeats((phase) => inTurn(async () => {
          const repository = await open(await backendOf(input));
          if (!repository) return 0;
          for (const id of input.snapshotIds) {
            phase(`forgetting ${id}`);
            await repository.deleteSnapshot(id);
          }
          return input.snapshotIds.length;
        }));
      } catch (error) {
        throw asFailure(error, input);
      }
    },

    /**
     * SafeLock for a point about to be recorded: extends the retention of every object its snapshots
     * need, including what deduplication reused from earlier, unlocked backups. Done here, not by the
     * agent: the lock is the control plane's promise, and a retry extends again (never shortens).
     */
    async lockRecoveryPointData(record: RecoveryPointRecord): Promise<RecoveryPointLock> {
      try {
        return await withHeartbeats((phase) => inTurn(async () => {
          // Whole seconds: S3 keeps retention dates to the second, and the point records what objects hold.
          const until = new Date(Math.ceil(expiryFrom(deps.clock(), record.retention.days).getTime() / 1000) * 1000);
          const { backend, secret } = await backendOf(record);
          const repository = await Repository.open(backend, secret);
          const report = await lockSnapshots(repository, repositorySnapshotIds(record), until, (done, total) => phase(`locked ${done} of ${total} objects`));
          return { lockedUntil: until.toISOString(), ...report };
        }));
      } catch (error) {
        throw asFailure(error, record);
      }
    },

    /**
     * Forgets the repository snapshots a run wrote that its recovery point does not record: all of them
     * when the run failed or was cancelled, and those of attempts that were retried after writing one.
     * Left behind, they would keep their chunks alive forever with nothing pointing at them. Only snapshot
     * objects newer than the run are read (a listing, then one read each), so the cost is the run's own.
     * A snapshot SafeLock holds stays until its lock ends.
     */
    async forgetRunSnapshots(input: RunSnapshots): Promise<{ forgotten: string[] }> {
      try {
        return await withHeartbeats((phase) => inTurn(async () => {
          const repository = await open(await backendOf(input));
          if (!repository) return { forgotten: [] };
          const since = Date.parse(input.since) - RUN_START_ALLOWANCE_MS;
          const keep = new Set(input.keep);
          const forgotten: string[] = [];
          for await (const object of repository.backend.list(SNAPSHOTS_PREFIX)) {
            const id = object.key.slice(SNAPSHOTS_PREFIX.length);
            if (object.lastModified.getTime() < since || keep.has(id)) continue;
            const snapshot = await repository.readSnapshot(id).catch(() => undefined);
            if (snapshot?.tags.job !== input.jobId) continue;
            phase(`forgetting ${id}`);
            try {
              await repository.deleteSnapshot(id);
              forgotten.push(id);
            } catch (error) {
              if (!(error instanceof ObjectRetainedError)) throw error;
            }
          }
          return { forgotten };
        }));
      } catch (error) {
        throw asFailure(error, input);
      }
    },

    /**
     * The data mover's two-phase GC (safe beside running backups, never deletes locked packs), heartbeating,
     * within the target's maintenance budget: a target that takes longer stops there (`stoppedAtBudget`)
     * and continues in the next pass, so it never holds the worker for other organizations' targets.
     */
    async collectRepositoryGarbage(input: GarbageCollection): Promise<GarbageReport> {
      const idle: GarbageReport = { ran: false, condemnedPacks: 0, deletedPacks: 0, retainedPacks: 0, reclaimedBytes: 0 };
      try {
        // Cancelled (the expiry pass was), it starts no further deletion: the heartbeats deliver the cancellation.
        const outcome = await withHeartbeats(() =>
          withinBudget(Math.min(input.budgetMs, deps.maintenanceBudgetMs ?? input.budgetMs), Context.current().cancellationSignal, (signal) => inTurn(async () => {
            const access = await backendOf(input);
            if (input.onlyIfPending && !(await tombstoneWaits(access.backend))) return idle;
            const repository = await open(access);
            if (!repository) return idle;
            signal.throwIfAborted();
            const report = await collectGarbage(repository, { ...(deps.gcGraceMs === undefined ? {} : { graceMs: deps.gcGraceMs }), signal });
            // A GC that found another running gave way: as if nothing were pending, the next pass tries again.
            return { ran: report.ran, condemnedPacks: report.condemnedPacks, deletedPacks: report.deletedPacks, retainedPacks: report.retainedPacks, reclaimedBytes: report.reclaimedBytes };
          })),
        );
        return outcome.finished ? outcome.value : { ...idle, stoppedAtBudget: true };
      } catch (error) {
        throw asFailure(error, input);
      }
    },
  };
}
