import { CancellationScope, proxyActivities } from '@temporalio/workflow';
import type { ClusterSnapshotActivities } from '../activities/cluster/snapshots/snapshot-activities.js';
import { clusterTaskQueue } from '../lib/common/temporal/names.js';
import { CLUSTER_CALL } from './activity-profiles.js';
import { copyVolumes, type CopyRun, type VolumeCopy } from './backup-copy.js';
import type { BackupStep } from './backup-progress.js';
import { deleteSnapshots, settleBatch, snapshotSteps, type SnapshotRun } from './backup-snapshot-steps.js';
import { BackupTracker } from './backup-tracking.js';
import { cutSnapshots, type VolumeOutcome } from './backup-volumes.js';

/**
 * One batch of a backup's PVs, as a child workflow of the run (`backup-volume-batches.ts`): the per-PV
 * work of one phase, so the run's own history grows by a few events per batch, not by dozens per PV.
 * CUT creates the snapshots and waits until each is taken; SETTLE waits for them to be ready and deletes
 * those that failed; COPY copies the PVs through mover pods, `concurrentPvs` at a time.
 */
export type VolumeBatchInput =
  | { phase: 'CUT' | 'SETTLE'; step: BackupStep; run: SnapshotRun; outcomes: VolumeOutcome[] }
  | { phase: 'COPY'; step: BackupStep; run: CopyRun; copies: VolumeCopy[] };

/** What changed for each PV of the batch, in the input's order: without the PV itself, which the run already holds. */
export type OutcomeChange = Omit<VolumeOutcome, 'volume'>;
export type CopyChange = Pick<VolumeCopy, 'state' | 'result' | 'failure'>;
export type VolumeBatchResult = { outcomes: OutcomeChange[] } | { copies: CopyChange[] };

export async function backupVolumeBatchWorkflow(input: VolumeBatchInput): Promise<VolumeBatchResult> {
  // The batch answers the run's `progress` query for its own PVs: the API merges it into the run's.
  const track = new BackupTracker(async () => undefined);
  await track.enter(input.step, {}, false);
  if (input.phase === 'COPY') {
    track.copies = input.copies;
    track.volumes = input.copies.flatMap((c) => (c.source === 'SNAPSHOT' && c.snapshot ? [c.snapshot] : []));
    await copyVolumes(input.run, input.copies, track.onVolumeChange);
    return { copies: input.copies.map(({ state, result, failure }) => ({ state, ...(result ? { result } : {}), ...(failure ? { failure } : {}) })) };
  }
  const { run, outcomes } = input;
  track.volumes = outcomes;
  const clusterAgent = proxyActivities<ClusterSnapshotActivities>({ ...CLUSTER_CALL, taskQueue: clusterTaskQueue(run.clusterId) });
  const steps = snapshotSteps(clusterAgent, run, clusterTaskQueue(run.clusterId), run.retainContent);
  try {
    if (input.phase === 'CUT') await cutSnapshots(steps, outcomes, run.timeoutMinutes, track.onVolumeChange);
    else await settleBatch(steps, clusterAgent, outcomes, run.timeoutMinutes, track.onVolumeChange);
  } catch (error) {
    // The run learns this batch's snapshots only from its result: a batch that ends without one
    // (cancelled with the run) deletes what it created itself.
    await CancellationScope.nonCancellable(() => deleteSnapshots(clusterAgent, outcomes).catch(() => undefined));
    throw error;
  }
  return { outcomes: outcomes.map(({ volume: _volume, ...change }) => change) };
}
