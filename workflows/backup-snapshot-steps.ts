import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { ClusterSnapshotActivities } from '../activities/cluster/snapshots/snapshot-activities.js';
import { snapshotWait } from './activity-profiles.js';
import { awaitSnapshotsReady, isProtected, type SnapshotSteps, type VolumeOutcome } from './backup-volumes.js';

/** What a batch of snapshot steps needs of its run (`backup-volume-batch.ts`). */
export interface SnapshotRun {
  jobId: string;
  definitionId: string;
  clusterId: string;
  /** The CSI snapshot timeout, from each create. */
  timeoutMinutes: number;
  /** Kept snapshots have their content retained once READY. */
  retainContent: boolean;
}

/** The snapshot steps on this run's agent; each wait gets activity bounds from its own remaining time. */
export function snapshotSteps(clusterAgent: ClusterSnapshotActivities, input: Pick<SnapshotRun, 'jobId' | 'definitionId'>, taskQueue: string, retainContent: boolean): SnapshotSteps {
  return {
    create: async (volume) =>
      (
        await clusterAgent.createVolumeSnapshot({
          version: 1,
          jobId: input.jobId,
          definitionId: input.definitionId,
          namespace: volume.namespace,
          claim: volume.claim,
          snapshotClass: volume.snapshotClass ?? '',
        })
      ).snapshotName,
    wait: (namespace, snapshotName, until, timeoutMs) =>
      proxyActivities<ClusterSnapshotActivities>({ ...snapshotWait(timeoutMs), taskQueue }).awaitVolumeSnapshot({
        version: 1,
        namespace,
        snapshotName,
        until,
        timeoutSeconds: timeoutMs / 1000,
        ...(retainContent ? { retainContent } : {}),
      }),
    now: () => Date.now(),
  };
}

/**
 * After the post-hooks: waits for the cut snapshots to be ready, deletes those of PVs that failed (they
 * are not part of the recovery point and must not linger in the cluster), and fails a snapshot-only run
 * that protected no PV at all (SNAPSHOTS_FAILED).
 */
export async function settleSnapshots(
  steps: SnapshotSteps,
  clusterAgent: ClusterSnapshotActivities,
  outcomes: VolumeOutcome[],
  run: { timeoutMinutes: number; snapshotOnly: boolean },
  onChange: () => void,
): Promise<void> {
  await settleBatch(steps, clusterAgent, outcomes, run.timeoutMinutes, onChange);
  requireASnapshot(outcomes, run.snapshotOnly);
}

/** Waits for these PVs' snapshots to be ready, then deletes those that failed. */
export async function settleBatch(steps: SnapshotSteps, clusterAgent: ClusterSnapshotActivities, outcomes: VolumeOutcome[], timeoutMinutes: number, onChange: () => void): Promise<void> {
  await awaitSnapshotsReady(steps, outcomes, timeoutMinutes, onChange);
  await deleteSnapshots(clusterAgent, outcomes.filter((o) => !isProtected(o)));
}

/** A snapshot-only run that protected no PV at all fails (SNAPSHOTS_FAILED), naming each PV's reason. */
export function requireASnapshot(outcomes: readonly VolumeOutcome[], snapshotOnly: boolean): void {
  if (snapshotOnly && !outcomes.some(isProtected)) {
    const reasons = outcomes.map((o) => `${o.volume.namespace}/${o.volume.claim}: ${o.failure ?? 'not ready'}`).join('; ');
    throw ApplicationFailure.nonRetryable(`no PV could be snapshotted (${reasons})`, 'SNAPSHOTS_FAILED');
  }
}

/** Deletes the snapshots this run created for these PVs (with their retained contents), all at once. */
export async function deleteSnapshots(clusterAgent: ClusterSnapshotActivities, outcomes: readonly VolumeOutcome[]): Promise<void> {
  await Promise.all(
    outcomes.flatMap((o) =>
      o.snapshotName
        ? [
            clusterAgent.deleteVolumeSnapshot({
              version: 1,
              namespace: o.volume.namespace,
              snapshotName: o.snapshotName,
              ...(o.state?.contentName ? { contentName: o.state.contentName } : {}),
            }),
          ]
        : [],
    ),
  );
}
