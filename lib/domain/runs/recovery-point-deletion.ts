import { organizationWorkflowId } from '../../common/temporal/names.js';
import type { KeptSnapshot } from '../kept-snapshot.js';

/**
 * What a recovery point deletion removes. ALL: everything the point holds (kept CSI snapshots, its
 * repository snapshots, then the row). SNAPSHOTS: only its kept CSI snapshots, when they expire before
 * the copy (`snapshotExpiresAt` < `expiresAt`); the point stays, restorable from the copy. RELEASE: an
 * admin frees Haven of a point whose cluster cannot delete its kept snapshots: the repository snapshots
 * and the row go, the kept snapshots stay in the cluster and are listed on the job for deletion by hand.
 */
export const DELETION_SCOPES = ['ALL', 'SNAPSHOTS', 'RELEASE'] as const;
export type DeletionScope = (typeof DELETION_SCOPES)[number];

/** Why a deletion runs: shown on its job. */
export const DELETION_CAUSES = ['REQUESTED', 'EXPIRED', 'SNAPSHOTS_EXPIRED', 'RELEASED'] as const;
export type DeletionCause = (typeof DELETION_CAUSES)[number];

export interface RecoveryPointDeletionInput {
  orgId: string;
  recoveryPointId: string;
  scope: DeletionScope;
  cause: DeletionCause;
}

export type RecoveryPointDeletionOutcome =
  | { status: 'DELETED'; jobId: string; snapshotsDeleted: number; repositorySnapshotsForgotten: number }
  /** Scope RELEASE: the point is gone from Haven; these kept snapshots are still in its cluster. */
  | { status: 'RELEASED'; jobId: string; keptSnapshots: KeptSnapshot[]; repositorySnapshotsForgotten: number }
  /** The point is already gone (another deletion got there first); no job is recorded. */
  | { status: 'GONE' }
  /** SafeLock still holds it; the job says until when. */
  | { status: 'LOCKED'; jobId: string; reason: string };

/** Deletions have one id per point: a second request while one runs joins it instead of racing it. */
export function recoveryPointDeletionWorkflowId(orgId: string, recoveryPointId: string): string {
  return organizationWorkflowId(orgId, `recovery-point-delete-${recoveryPointId}`);
}

/** How many deletions an expiry pass runs at once: each mostly waits on an agent or object storage. */
export const DEFAULT_EXPIRY_CONCURRENCY = 4;
/** Due points handled per pass; the rest wait for the next pass, so one pass's history stays small. */
export const DEFAULT_EXPIRY_BATCH = 200;
/**
 * How long a pass waits for one deletion before its lane moves on. The deletion keeps running (it is
 * abandoned, not cancelled) and records its own job; a point whose agent answers slowly must not hold
 * the pass, and with it every other organization's expiry.
 */
export const DEFAULT_EXPIRY_DELETION_WAIT_MS = 10 * 60_000;

/** The first retry of a failed deletion waits this long: about one expiry pass at the default interval. */
export const DELETION_BACKOFF_BASE_MS = 15 * 60_000;
/** Retries never wait longer: a point whose cluster comes back is deleted within a day. */
export const DELETION_BACKOFF_MAX_MS = 24 * 60 * 60_000;

/** The wait after the `attempts`-th failed deletion in a row: doubling from the base, capped. */
export function deletionRetryDelayMs(attempts: number): number {
  const doublings = Math.max(0, attempts - 1);
  // Past 2^7 the cap holds anyway; stopping there keeps the arithmetic exact.
  return Math.min(DELETION_BACKOFF_BASE_MS * 2 ** Math.min(doublings, 7), DELETION_BACKOFF_MAX_MS);
}

/**
 * No clock and no safety margin come from a run's input: whoever could start a run could otherwise judge
 * SafeLock at a time of their choosing. The control plane's clock decides what is due and what is
 * locked, and the GC grace period is the worker's configuration.
 */
export interface ExpiryPassInput {
  concurrency?: number;
  batch?: number;
  /** Milliseconds a pass waits for one deletion (DEFAULT_EXPIRY_DELETION_WAIT_MS); it judges nothing, so an input may set it. */
  deletionWaitMs?: number;
}

export interface ExpiryPassOutcome {
  now: string;
  deleted: string[];
  /**
   * Points that are due but could not be deleted; their FAILED jobs say why. No pass retries one before
   * its `retryAt` (absent when the deletion never started, e.g. refused by SafeLock).
   */
  failed: { recoveryPointId: string; reason: string; retryAt?: string }[];
  /** Deletions still running when the pass stopped waiting for them; their jobs tell how they end. */
  stillRunning: string[];
  /**
   * The repository GC pass this pass started (STARTED), or the one still running from an earlier pass
   * (ALREADY_RUNNING): its workflow's result says what it reclaimed.
   */
  garbageCollection: { workflowId: string; status: 'STARTED' | 'ALREADY_RUNNING' };
}
