import { ApplicationFailure, CancellationScope, isCancellation, proxyActivities } from '@temporalio/workflow';
import type { ClusterSnapshotActivities } from '../activities/cluster/snapshots/snapshot-activities.js';
import type { CopySelection } from '../lib/domain/copy-selection.js';
import type { CopyPlan } from '../lib/domain/runs/backup-plan.js';
import type { BackupVolume, RepositoryAccess } from '../proto/agent/index.js';
import type { BackupVolumeResult } from '../proto/mover/index.js';
import { clusterTaskQueue } from '../lib/common/temporal/names.js';
import { CLUSTER_CALL } from './activity-profiles.js';
import { isProtected, type VolumeOutcome } from './backup-volumes.js';
import { moverPodAgent, runOnMoverPod } from './mover-pod.js';
import { rootCauseMessage } from './failure-message.js';

const MB = 1_000_000;

/** Where a copy reads from: the run's CSI snapshot (through a temporary claim), the claim itself, live, or its volume on the node. */
export type CopySource = 'SNAPSHOT' | 'LIVE_CLAIM' | 'HOST_VOLUME';

/** One PV to copy and, as it goes, how its copy ended. Updated in place, so a cancelled run knows where it was. */
export interface VolumeCopy {
  volume: BackupVolume;
  source: CopySource;
  /** The snapshot outcome, for SNAPSHOT copies. */
  snapshot?: VolumeOutcome;
  /** Unique in the run: names the mover pod and its queue. */
  moverIndex: number;
  state: 'PENDING' | 'COPYING' | 'COPIED' | 'FAILED';
  result?: BackupVolumeResult;
  failure?: string;
}

export interface CopyRun {
  clusterId: string;
  jobId: string;
  definitionId: string;
  repository: RepositoryAccess;
  plan: CopyPlan;
}

const claimOf = (v: BackupVolume) => `${v.namespace}/${v.claim}`;

/** The repository's name for a PV across runs: the parent of its next copy is found by it. */
export const repositoryVolumeOf = (clusterId: string, v: BackupVolume) => `${clusterId}/${v.namespace}/${v.claim}`;

/** The storage class the snapshot is mounted with: the definition's mapping, else the source's own. */
export const mountClassOf = (plan: CopyPlan, v: BackupVolume) => plan.snapshotMountStorageClasses[v.storageClass] ?? v.storageClass;

/** Each PV's share of the run's files: the total split across the PVs copied at once. */
export const filesPerVolume = (plan: CopyPlan) => Math.max(1, Math.floor(plan.totalConcurrentFiles / plan.concurrentPvs));

/** The copies read live (claim, then host volume), mover indexes from 0: copied while the application is frozen. */
export function liveCopies(selection: CopySelection): VolumeCopy[] {
  const sources = [...selection.live.map((volume) => ({ volume, source: 'LIVE_CLAIM' as const })), ...selection.host.map((volume) => ({ volume, source: 'HOST_VOLUME' as const }))];
  return sources.map(({ volume, source }, moverIndex): VolumeCopy => ({ volume, source, moverIndex, state: 'PENDING' }));
}

/** A copy per snapshot, mover indexes after the live ones; a PV whose snapshot is not ready has FAILED already. */
export function snapshotCopies(outcomes: readonly VolumeOutcome[], firstMoverIndex: number): VolumeCopy[] {
  return outcomes.map((outcome, index) => ({
    volume: outcome.volume,
    source: 'SNAPSHOT',
    snapshot: outcome,
    moverIndex: firstMoverIndex + index,
    state: isProtected(outcome) ? 'PENDING' : 'FAILED',
    ...(isProtected(outcome) ? {} : { failure: outcome.failure ?? 'the snapshot did not become ready' }),
  }));
}

/** A copy run with PVs of which none was copied fails (COPIES_FAILED), naming each PV's reason. */
export function requireACopy(copies: readonly VolumeCopy[]): void {
  if (copies.length > 0 && !copies.some((c) => c.state === 'COPIED')) {
    const reasons = copies.map((c) => `${c.volume.namespace}/${c.volume.claim}: ${c.failure ?? 'not copied'}`).join('; ');
    throw ApplicationFailure.nonRetryable(`no PV could be copied (${reasons})`, 'COPIES_FAILED');
  }
}

/**
 * Copies PVs, `concurrentPvs` at a time, each on its own mover pod. A failure is that PV's alone: it is
 * recorded and the others go on. Snapshot copies read a temporary claim restored from the snapshot
 * (deleted after, and the snapshot too unless preserved); live copies mount the claim itself.
 */
export async function copyVolumes(run: CopyRun, copies: VolumeCopy[], onChange: () => void): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < copies.length) {
      const copy = copies[next++] as VolumeCopy;
      copy.state = 'COPYING';
      onChange();
      try {
        copy.result = await copyOne(run, copy, onChange);
        copy.state = 'COPIED';
      } catch (error) {
        if (isCancellation(error)) throw error;
        copy.state = 'FAILED';
        copy.failure = rootCauseMessage(error);
      }
      onChange();
    }
  };
  await Promise.all(Array.from({ length: Math.min(run.plan.concurrentPvs, copies.length) }, worker));
}

async function copyOne(run: CopyRun, copy: VolumeCopy, onChange: () => void): Promise<BackupVolumeResult> {
  const { volume } = copy;
  const agent = moverPodAgent(run.clusterId);
  const snapshots = proxyActivities<ClusterSnapshotActivities>({ ...CLUSTER_CALL, taskQueue: clusterTaskQueue(run.clusterId) });
  let claim = volume.claim;
  if (copy.source === 'SNAPSHOT') {
    const snapshotName = copy.snapshot?.snapshotName ?? '';
    const created = await agent.createSnapshotClaim({
      version: 1,
      jobId: run.jobId,
      namespace: volume.namespace,
      sourceClaim: volume.claim,
      snapshotName,
      storageClass: mountClassOf(run.plan, volume),
      sizeBytes: Math.max(1, copy.snapshot?.state?.restoreSizeBytes ?? 0, volume.sizeBytes),
      volumeMode: volume.volumeMode,
    });
    claim = created.claim;
  }
  let copied = false;
  try {
    const result = await runOnMoverPod(
      {
        clusterId: run.clusterId,
        jobId: run.jobId,
        moverIndex: copy.moverIndex,
        namespace: volume.namespace,
        claim,
        readOnly: true,
        volumeMode: volume.volumeMode,
        memoryLimitMiB: run.plan.dataMoverMemoryLimitMiB,
        purpose: 'backup',
        colocateWithClaimUsers: copy.source === 'LIVE_CLAIM',
        fromHostVolume: copy.source === 'HOST_VOLUME',
        podTimeoutMinutes: run.plan.dataMoverPodTimeoutMinutes,
        subject: `PV of claim ${claimOf(volume)}`,
      },
      // Its figures show as soon as its mover is done: the heartbeats that carried them are gone, and
      // deleting the pod, the temporary claim and the snapshot may take a while.
      async (mover) => {
        copy.result = await mover.backupVolumeToRepository({
          version: 1,
          jobId: run.jobId,
          clusterId: run.clusterId,
          definitionId: run.definitionId,
          namespace: volume.namespace,
          claim: volume.claim,
          volumeMode: volume.volumeMode,
          repository: run.repository,
          repositoryVolume: repositoryVolumeOf(run.clusterId, volume),
          limits: {
            concurrentFiles: filesPerVolume(run.plan),
            ...(run.plan.maxSpeedPerStreamMBps ? { maxBytesPerSecond: run.plan.maxSpeedPerStreamMBps * MB } : {}),
            memoryLimitMiB: run.plan.dataMoverMemoryLimitMiB,
          },
        });
        onChange();
        return copy.result;
      },
    );
    copied = true;
    return result;
  } finally {
    if (copy.source === 'SNAPSHOT') {
      // The temporary claim holds a full copy of the volume: it goes however the copy ended. A failing
      // delete is left to the run's final sweep rather than hiding the copy's outcome.
      await CancellationScope.nonCancellable(async () => {
        await agent.deleteTemporaryClaim({ version: 1, namespace: volume.namespace, claim }).catch(() => undefined);
        const snapshotName = copy.snapshot?.snapshotName;
        // A preserved snapshot is part of the recovery point only if its copy succeeded.
        if (snapshotName && (!run.plan.preserveSnapshots || !copied)) {
          await snapshots.deleteVolumeSnapshot({ version: 1, namespace: volume.namespace, snapshotName }).catch(() => undefined);
        }
      });
    }
  }
}
