import { defineQuery } from '@temporalio/workflow';

/** Steps of a restore run, in order; the last four are how it ended. */
export const RESTORE_STEPS = {
  VALIDATING: 'Validating the target cluster',
  RESOLVING: 'Locating the recovery point in storage',
  RESTORING_RESOURCES: 'Restoring resources',
  RESTORING_VOLUMES: 'Restoring persistent volume data',
  RUNNING_POST_HOOKS: 'Running post-restore hooks',
  COMPLETED: 'Completed',
  FAILED: 'Failed',
  CANCELLED: 'Cancelled',
} as const;
export type RestoreStep = keyof typeof RESTORE_STEPS;

/** Where one PV of the recovery point is in this run. */
export const RESTORE_VOLUME_STATES = [
  /** Waiting for its claim to be created. */
  'PENDING',
  /** Its claim was created (from the snapshot, or empty for a copy); the new volume is being provisioned. */
  'PROVISIONING',
  /** Provisioned from its snapshot and bound: the data is in. */
  'BOUND',
  /** Its claim was created empty; a data mover pod is restoring the copy into it. */
  'FILLING',
  /** The copy is restored into the new volume: the data is in. */
  'FILLED',
  /** A class that binds on first use, no pod uses it yet: filled when one does. */
  'WAITING_FOR_CONSUMER',
  /** Its claim was not created by this run (it existed, or the selection left it out): its data was not touched. */
  'NOT_RESTORED',
  'FAILED',
] as const;
export type RestoreVolumeState = (typeof RESTORE_VOLUME_STATES)[number];

export interface RestoreVolumeProgress {
  namespace: string;
  claim: string;
  targetNamespace?: string;
  method: string;
  state: RestoreVolumeState;
  reason?: string;
  /** Once FILLED: what its copy restored (the mover's heartbeats carried the figures until then). */
  bytes?: number;
  files?: number;
}

export interface RestoreProgress {
  step: RestoreStep;
  /** What the step means, for people. */
  description: string;
  /** Workflow time the step began. */
  stepStartedAt: string;
  /** Objects by outcome, once the resources are restored. */
  counts?: { CREATED: number; UPDATED: number; SKIPPED: number; FAILED: number };
  volumes?: RestoreVolumeProgress[];
  /** Every post-restore hook run so far, with its verdict and the pods (`namespace/pod`) it ran in. */
  hooks?: { hook: string; type: string; verdict: string; pods: string[] }[];
}

/** The live step of a run, as the `progress` query answers it. */
export const restoreProgressQuery = defineQuery<RestoreProgress>('progress');
