import { defineQuery } from '@temporalio/workflow';

/** Steps of a backup run, in order. */
export const BACKUP_STEPS = {
  CHECKING: 'Checking the agent is connected and no other run of this definition is in progress',
  EXPORTING_RESOURCES: 'Exporting resources',
  SCANNING_VOLUMES: 'Listing the selected namespaces and persistent volume claims',
  RUNNING_PRE_HOOKS: 'Running pre-backup hooks',
  SNAPSHOTTING_VOLUMES: 'Taking CSI snapshots of persistent volumes',
  RUNNING_POST_HOOKS: 'Running post-backup hooks',
  COPYING_LIVE_VOLUMES: 'Copying persistent volumes that are read live, before the post-backup hooks',
  AWAITING_SNAPSHOTS: 'Waiting for the snapshots to be ready to use',
  COPYING_VOLUMES: 'Copying persistent volume snapshots to storage through data mover pods',
  RECORDING_RECOVERY_POINT: 'Recording the recovery point',
  COMPLETED: 'Completed',
  SKIPPED: 'Skipped',
  FAILED: 'Failed',
  CANCELLED: 'Cancelled',
} as const;
export type BackupStep = keyof typeof BACKUP_STEPS;

export interface BackupProgress {
  step: BackupStep;
  /** What the step means, for people. */
  description: string;
  /** Workflow time the step began. */
  stepStartedAt: string;
  resourceCount?: number;
  recoveryPointId?: string;
  /** Every hook run so far, with its verdict. */
  hooks?: { hook: string; type: string; verdict: string }[];
  /** Every selected claim and where its snapshot (or copy, with its figures so far) is. */
  volumes?: { namespace: string; claim: string; state: string; bytes?: number; files?: number }[];
  /**
   * The child workflows working on batches of these PVs right now: each answers this query for its own
   * PVs (newer than `volumes` here, which a batch updates when it ends) and holds its copies in flight.
   */
  batches?: string[];
}

/** The live step of a run, as the `progress` query answers it. */
export const progressQuery = defineQuery<BackupProgress>('progress');
