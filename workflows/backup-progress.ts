import { defineQuery } from '@temporalio/workflow';

/**
 * Steps of a backup run, in order. The PV steps (pre-hooks, snapshots, post-hooks, copy, cleanup) slot
 * in between EXPORTING_RESOURCES and RECORDING_RECOVERY_POINT.
 */
export const BACKUP_STEPS = {
  CHECKING: 'Checking the agent is connected and no other run of this definition is in progress',
  EXPORTING_RESOURCES: 'Exporting resources',
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
}

/** The live step of a run, as the `progress` query answers it. */
export const progressQuery = defineQuery<BackupProgress>('progress');
