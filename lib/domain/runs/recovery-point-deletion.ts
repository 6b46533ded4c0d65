import { organizationWorkflowId } from '../../common/temporal/names.js';

/**
 * What a recovery point deletion removes. ALL: everything the point holds (kept CSI snapshots, its
 * repository snapshots, then the row). SNAPSHOTS: only its kept CSI snapshots, when they expire before
 * the copy (`snapshotExpiresAt` < `expiresAt`); the point stays, restorable from the copy.
 */
export const DELETION_SCOPES = ['ALL', 'SNAPSHOTS'] as const;
export type DeletionScope = (typeof DELETION_SCOPES)[number];

/** Why a deletion runs: shown on its job. */
export const DELETION_CAUSES = ['REQUESTED', 'EXPIRED', 'SNAPSHOTS_EXPIRED'] as const;
export type DeletionCause = (typeof DELETION_CAUSES)[number];

export interface RecoveryPointDeletionInput {
  orgId: string;
  recoveryPointId: string;
  scope: DeletionScope;
  cause: DeletionCause;
}

export type RecoveryPointDeletionOutcome =
  | { status: 'DELETED'; jobId: string; snapshotsDeleted: number; repositorySnapshotsForgotten: number }
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
 * No clock and no safety margin come from a run's input: whoever could start a run could otherwise judge
 * SafeLock at a time of their choosing. The control plane's clock decides what is due and what is
 * locked, and the GC grace period is the worker's configuration.
 */
export interface ExpiryPassInput {
  concurrency?: number;
  batch?: number;
}

export interface ExpiryPassOutcome {
  now: string;
  deleted: string[];
  /** Points that are due but could not be deleted; their FAILED jobs say why. Retried by the next pass. */
  failed: { recoveryPointId: string; reason: string }[];
  /** Storage targets whose repository GC ran, with what it reclaimed. */
  collected: { storageTargetId: string; deletedPacks: number; condemnedPacks: number; reclaimedBytes: number }[];
}
