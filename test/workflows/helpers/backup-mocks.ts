import type { ClusterBackupActivities } from '../../../activities/cluster/backup/export-to-repository.js';
import type { ClusterHookActivities } from '../../../activities/cluster/backup/run-backup-hook.js';
import type { MoverPodActivities } from '../../../activities/cluster/mover-pods/mover-pod-activities.js';
import type { ClusterSnapshotActivities } from '../../../activities/cluster/snapshots/snapshot-activities.js';
import type { ControlActivities } from '../../../activities/control/index.js';
import type { RecoveryPointRecord } from '../../../activities/control/recovery-points.js';
import type { MoverActivities } from '../../../activities/mover/mover-activities.js';
import type { AwaitVolumeSnapshotRequest, BackupVolume, CreateVolumeSnapshotRequest, HookDefinitionMessage, RunHookRequest } from '../../../proto/agent/index.js';
import { moverTaskQueue, type BackupVolumeRequest, type CreateSnapshotClaimRequest, type StartMoverPodRequest } from '../../../proto/mover/index.js';
import { exported, hookSucceeded, repository, SOURCE } from './fixtures.js';
import type { Mocks } from './workflow-env.js';

/** The activities a backup run asks of the source cluster's agent. */
export type SourceAgent = Mocks<ClusterBackupActivities & ClusterHookActivities & ClusterSnapshotActivities & MoverPodActivities>;

/** The control plane's side of a backup run: everything succeeds; `overrides` changes part of it. */
export function control(hooks: { pre?: HookDefinitionMessage[]; post?: HookDefinitionMessage[] } = {}, overrides: Mocks<ControlActivities> = {}): Mocks<ControlActivities> {
  return {
    agentNotConnectedReason: async () => null,
    alreadyRunningReason: async () => null,
    updateJobStep: async () => undefined,
    finishJob: async () => undefined,
    resolveHooks: async () => [hooks.pre ?? [], hooks.post ?? []],
    resolveRepositoryAccess: async () => repository,
    recordRecoveryPoint: async (record: RecoveryPointRecord) => ({ id: record.recoveryPointId, expiresAt: '2030-01-01T00:00:00.000Z' }),
    issueMoverToken: async ({ taskQueue }: { taskQueue: string }) => `token-for-${taskQueue}`,
    forgetRunSnapshots: async () => ({ forgotten: [] }),
    ...overrides,
  };
}

/** The source cluster's agent: every snapshot is cut, then ready; every hook succeeds. */
export function sourceAgent(volumes: BackupVolume[], overrides: SourceAgent = {}): SourceAgent {
  return {
    exportResourcesToRepository: async () => exported,
    scanBackupScope: async () => ({ version: 1, namespaces: ['shop'], volumes, podVolumes: [] }),
    runBackupHook: async (request: RunHookRequest) => hookSucceeded(request.hook),
    createVolumeSnapshot: async (request: CreateVolumeSnapshotRequest) => ({ version: 1, namespace: request.namespace, snapshotName: `snap-${request.claim}` }),
    awaitVolumeSnapshot: async (request: AwaitVolumeSnapshotRequest) => ({
      version: 1,
      outcome: request.until,
      contentName: `content-${request.snapshotName}`,
      snapshotHandle: `handle-${request.snapshotName}`,
      restoreSizeBytes: 1_000_000,
    }),
    deleteVolumeSnapshot: async () => undefined,
    startMoverPod: async (request: StartMoverPodRequest) => ({ version: 1, namespace: request.namespace, podName: `mover-${request.taskQueue}` }),
    deleteMoverPod: async () => undefined,
    createSnapshotClaim: async (request: CreateSnapshotClaimRequest) => ({ version: 1, namespace: request.namespace, claim: `tmp-${request.sourceClaim}` }),
    deleteTemporaryClaim: async () => undefined,
    cleanUpMoverJob: async () => ({ version: 1, deleted: [] }),
    ...overrides,
  };
}

/** One mover pod queue per copy the run may start, all answering with `backup`. */
export function moverQueues(jobId: string, count: number, backup: (request: BackupVolumeRequest) => ReturnType<MoverActivities['backupVolumeToRepository']>) {
  const mocks: Record<string, Mocks<MoverActivities>> = {};
  for (let index = 0; index < count; index++) mocks[moverTaskQueue(SOURCE, jobId, index)] = { backupVolumeToRepository: backup };
  return mocks;
}

export const copied = async (request: BackupVolumeRequest) => ({ version: 1 as const, snapshotId: `copy-${request.claim}`, files: 3, bytes: 300, newBytesStored: 100, resumed: false });
