import { defineQuery } from '@temporalio/workflow';

/** Steps of a replication run, in order; the last four are how it ended. */
export const REPLICATION_STEPS = {
  CHECKING: 'Checking both agents are connected and no other run of this replication is in progress',
  BACKING_UP: 'Backing up the source to the temporary storage',
  RESETTING_NAMESPACES: 'Deleting and re-creating the destination namespaces',
  RESTORING: 'Restoring into the destination namespaces',
  REMOVING_TEMPORARY_POINT: 'Deleting the temporary recovery point',
  COMPLETED: 'Completed',
  SKIPPED: 'Skipped',
  FAILED: 'Failed',
  CANCELLED: 'Cancelled',
} as const;
export type ReplicationStep = keyof typeof REPLICATION_STEPS;

/** One of the runs a replication is made of: its workflow (with its own `progress` query) and its job. */
export interface ReplicationPhaseProgress {
  workflowId: string;
  jobId: string;
  status?: string;
}

export interface ReplicationProgress {
  step: ReplicationStep;
  /** What the step means, for people. */
  description: string;
  /** Workflow time the step began. */
  stepStartedAt: string;
  backup?: ReplicationPhaseProgress;
  restore?: ReplicationPhaseProgress;
  /** The recovery point the backup made in the temporary storage; deleted at the end of the run. */
  temporaryRecoveryPointId?: string;
  /** Source namespace → destination namespace, once the backup is in. */
  namespaces?: Record<string, string>;
}

/** The live step of a run, as the `progress` query answers it. */
export const replicationProgressQuery = defineQuery<ReplicationProgress>('progress');
