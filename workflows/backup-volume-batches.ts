import { executeChild, workflowInfo } from '@temporalio/workflow';
import type { ClusterSnapshotActivities } from '../activities/cluster/snapshots/snapshot-activities.js';
import { copyVolumes, type CopyRun, type VolumeCopy } from './backup-copy.js';
import { requireASnapshot, settleSnapshots, type SnapshotRun } from './backup-snapshot-steps.js';
import type { BackupTracker } from './backup-tracking.js';
import { backupVolumeBatchWorkflow, type CopyChange, type OutcomeChange, type VolumeBatchInput } from './backup-volume-batch.js';
import { cutSnapshots, type SnapshotSteps, type VolumeOutcome } from './backup-volumes.js';

/**
 * PVs per child workflow. A copy batch adds about 30 events per PV to its own history (snapshot claim,
 * mover token, pod, copy, cleanup), so 50 PVs stay near 2,000 events, a fifth of the server's warning;
 * the run itself adds a few events per batch and phase.
 */
export const VOLUME_BATCH_SIZE = 50;

/**
 * Runs started before batches did every PV's work in their own history: they replay that way
 * (`patched`), and every run started since works in batches.
 */
export const VOLUME_BATCHES_PATCH = 'backup-volume-batches';

/** The per-PV phases of a backup run, whichever history they are recorded in. */
export interface VolumePhases {
  /** Creates every PV's snapshot at once and waits until each is taken. */
  cut(outcomes: VolumeOutcome[]): Promise<void>;
  /** Waits for the snapshots to be ready, deletes the failed ones, and fails a snapshot-only run that protected nothing. */
  settle(outcomes: VolumeOutcome[]): Promise<void>;
  /** Copies these PVs through mover pods, `concurrentPvs` at a time. */
  copy(copies: VolumeCopy[]): Promise<void>;
}

export interface VolumePhasesRun {
  snapshots: SnapshotRun & { snapshotOnly: boolean };
  copies: CopyRun;
  track: BackupTracker;
}

/** Every PV's work in the run's own history: how runs started before batches replay. */
export function inlinePhases(run: VolumePhasesRun, steps: SnapshotSteps, clusterAgent: ClusterSnapshotActivities): VolumePhases {
  const { snapshots, track } = run;
  return {
    cut: (outcomes) => cutSnapshots(steps, outcomes, snapshots.timeoutMinutes, track.onVolumeChange),
    settle: (outcomes) => settleSnapshots(steps, clusterAgent, outcomes, snapshots, track.onVolumeChange),
    copy: (copies) => copyVolumes(run.copies, copies, track.onVolumeChange),
  };
}

const batchesOf = <T>(items: T[], size: number): T[][] => Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/**
 * Each phase's PVs in child workflows of `VOLUME_BATCH_SIZE` (ids `<run>:<phase>-<n>`, so they carry the
 * run's organization): snapshot batches all at once, as the PVs were; copy batches one after another,
 * each `concurrentPvs` at a time, so the run never copies more PVs at once than asked. Each batch's
 * answer updates the run's PVs in place; a cancelled run cancels its batches and waits for their cleanup.
 */
export function batchedPhases(run: VolumePhasesRun): VolumePhases {
  const { track } = run;
  const counters = { cut: 0, settle: 0, copy: 0 };
  const runBatch = async <R>(phase: VolumeBatchInput['phase'], args: (step: VolumeBatchInput['step']) => VolumeBatchInput): Promise<R> => {
    const key = phase.toLowerCase() as keyof typeof counters;
    const workflowId = `${workflowInfo().workflowId}:${key}-${++counters[key]}`;
    track.batchStarted(workflowId);
    try {
      return (await executeChild(backupVolumeBatchWorkflow, { workflowId, args: [args(track.progress.step)] })) as R;
    } finally {
      track.batchEnded(workflowId);
    }
  };
  const snapshotBatch = async (phase: 'CUT' | 'SETTLE', batch: VolumeOutcome[]) => {
    const { outcomes } = await runBatch<{ outcomes: OutcomeChange[] }>(phase, (step) => ({ phase, step, run: run.snapshots, outcomes: batch }));
    batch.forEach((outcome, i) => Object.assign(outcome, outcomes[i]));
    track.onVolumeChange();
  };
  return {
    cut: async (outcomes) => {
      await Promise.all(batchesOf(outcomes, VOLUME_BATCH_SIZE).map((batch) => snapshotBatch('CUT', batch)));
    },
    settle: async (outcomes) => {
      await Promise.all(batchesOf(outcomes, VOLUME_BATCH_SIZE).map((batch) => snapshotBatch('SETTLE', batch)));
      requireASnapshot(outcomes, run.snapshots.snapshotOnly);
    },
    copy: async (copies) => {
      for (const batch of batchesOf(copies, Math.max(VOLUME_BATCH_SIZE, run.copies.plan.concurrentPvs))) {
        const changes = await runBatch<{ copies: CopyChange[] }>('COPY', (step) => ({ phase: 'COPY', step, run: run.copies, copies: batch }));
        batch.forEach((copy, i) => Object.assign(copy, changes.copies[i]));
        track.onVolumeChange();
      }
    },
  };
}
