import type { RecordedVolume } from '../activities/control/recovery-points.js';
import type { BackupVolume, VolumeSnapshotState } from '../proto/agent/index.js';
import { rootCauseMessage } from './failure-message.js';

/** Where one selected claim ended up in a snapshot-only run. */
export interface VolumeOutcome {
  volume: BackupVolume;
  /** Set once this run created its VolumeSnapshot. */
  snapshotName?: string;
  /** The latest answer about that snapshot. */
  state?: VolumeSnapshotState;
  /** Why this PV is not protected: a snapshot error, the timeout, or a failed create. */
  failure?: string;
  /** Workflow time at which this PV's CSI snapshot timeout ends (it runs from the create). */
  deadline?: number;
}

export interface SnapshotSteps {
  create(volume: BackupVolume): Promise<string>;
  /** Waits at most `timeoutMs` for the snapshot to reach `until`. */
  wait(namespace: string, snapshotName: string, until: 'CUT' | 'READY', timeoutMs: number): Promise<VolumeSnapshotState>;
  /** Workflow time, in ms. */
  now(): number;
}

export const isProtected = (outcome: VolumeOutcome): boolean => outcome.state?.outcome === 'READY' && !outcome.failure;

function waitFailure(state: VolumeSnapshotState, timeoutMinutes: number): string | undefined {
  if (state.outcome === 'READY' || state.outcome === 'CUT') return undefined;
  if (state.outcome === 'TIMED_OUT') return `the CSI snapshot timeout (${timeoutMinutes} min) expired: ${state.reason ?? 'the snapshot was not ready'}`;
  return state.reason ?? `the snapshot ended ${state.outcome}`;
}

/**
 * Snapshots every claim at once and waits until each point in time is taken (CUT), so the post-hooks can
 * unfreeze the application as early as possible. The CSI snapshot timeout runs from each create, over
 * both waits. A failure is that PV's alone: the others go on.
 */
export async function cutSnapshots(steps: SnapshotSteps, outcomes: VolumeOutcome[], timeoutMinutes: number, onChange: () => void): Promise<void> {
  const timeoutMs = timeoutMinutes * 60_000;
  // Outcomes are updated in place: a run cancelled mid-way must still know which snapshots it created.
  await Promise.all(
    outcomes.map(async (outcome) => {
      const deadline = (outcome.deadline = steps.now() + timeoutMs);
      try {
        outcome.snapshotName = await steps.create(outcome.volume);
        onChange();
        outcome.state = await steps.wait(outcome.volume.namespace, outcome.snapshotName, 'CUT', Math.max(0, deadline - steps.now()));
        outcome.failure = waitFailure(outcome.state, timeoutMinutes);
      } catch (error) {
        outcome.failure = `the snapshot could not be taken: ${rootCauseMessage(error)}`;
      }
      onChange();
    }),
  );
}

/** Waits, within each PV's remaining CSI snapshot timeout, for the cut snapshots to be ready to use. */
export async function awaitSnapshotsReady(steps: SnapshotSteps, outcomes: VolumeOutcome[], timeoutMinutes: number, onChange: () => void): Promise<void> {
  await Promise.all(
    outcomes.map(async (outcome) => {
      if (outcome.failure || !outcome.snapshotName || outcome.state?.outcome === 'READY') return;
      try {
        outcome.state = await steps.wait(outcome.volume.namespace, outcome.snapshotName, 'READY', Math.max(0, (outcome.deadline ?? 0) - steps.now()));
        outcome.failure = waitFailure(outcome.state, timeoutMinutes);
      } catch (error) {
        outcome.failure = `waiting for the snapshot failed: ${rootCauseMessage(error)}`;
      }
      onChange();
    }),
  );
}

/**
 * Adds to each recorded PV that holds a snapshot the content's CSI driver and the deletion policy it had
 * before Haven retained it: expiry needs both to delete the data the point kept.
 */
export function withRetainedContents<T extends RecordedVolume>(recorded: T[], outcomes: readonly VolumeOutcome[]): T[] {
  return recorded.map((pv) => {
    const state = pv.snapshotContentName ? outcomes.find((o) => o.state?.contentName === pv.snapshotContentName)?.state : undefined;
    if (!state) return pv;
    return {
      ...pv,
      ...(state.driver ? { snapshotDriver: state.driver } : {}),
      ...(state.originalDeletionPolicy ? { snapshotDeletionPolicy: state.originalDeletionPolicy } : {}),
    };
  });
}
