import type { KubeConfig } from '@kubernetes/client-node';
import { Context } from '@temporalio/activity';
import {
  awaitVolumeSnapshotRequestCodec,
  createVolumeSnapshotRequestCodec,
  deleteVolumeSnapshotRequestCodec,
  scanBackupScopeRequestCodec,
  type CreateVolumeSnapshotResult,
  type ScanBackupScopeResult,
  type VolumeSnapshotState,
} from '../../../proto/agent/index.js';
import { withHeartbeats } from '../../common/heartbeats.js';
import { awaitVolumeSnapshot } from './await-snapshot.js';
import { createVolumeSnapshot } from './create-snapshot.js';
import { deleteSnapshotData, retainContent } from './retain-content.js';
import { toSnapshotActivityFailure } from './snapshot-failures.js';
import { scanBackupScope } from './scan-scope.js';
import { SnapshotApi } from './snapshot-api.js';

export interface ClusterSnapshotDeps {
  kubeConfig: KubeConfig;
}

/** Decodes, runs and maps failures the same way for every snapshot activity. */
async function activity<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw toSnapshotActivityFailure(error);
  }
}

/** The agent's PV activities: what the run covers, and CSI VolumeSnapshots of it. Messages are `unknown`: decoded by version. */
export function clusterSnapshotActivities(deps: ClusterSnapshotDeps) {
  const api = new SnapshotApi(deps.kubeConfig);
  return {
    async scanBackupScope(message: unknown): Promise<ScanBackupScopeResult> {
      return activity(async () => {
        const request = scanBackupScopeRequestCodec.decode(message);
        return { version: 1, ...(await withHeartbeats(() => scanBackupScope(deps.kubeConfig, request.selection))) };
      });
    },

    async createVolumeSnapshot(message: unknown): Promise<CreateVolumeSnapshotResult> {
      return activity(async () => {
        const request = createVolumeSnapshotRequestCodec.decode(message);
        return { version: 1, namespace: request.namespace, snapshotName: await createVolumeSnapshot(api, request) };
      });
    },

    /** Heartbeats on every read: the wait may be as long as the definition's CSI snapshot timeout. */
    async awaitVolumeSnapshot(message: unknown): Promise<VolumeSnapshotState> {
      return activity(async () => {
        const request = awaitVolumeSnapshotRequestCodec.decode(message);
        const context = Context.current();
        const state = await awaitVolumeSnapshot(api, request, { signal: context.cancellationSignal, onPoll: (phase) => context.heartbeat({ phase }) });
        // Retained only once READY: a snapshot that never gets there is deleted, not kept.
        if (request.retainContent && state.outcome === 'READY' && state.contentName) {
          return { version: 1, ...state, originalDeletionPolicy: await retainContent(api, state.contentName) };
        }
        return { version: 1, ...state };
      });
    },

    /** Takes the data with it even where Haven had retained the content. */
    async deleteVolumeSnapshot(message: unknown): Promise<void> {
      return activity(async () => {
        const request = deleteVolumeSnapshotRequestCodec.decode(message);
        await deleteSnapshotData(api, request);
      });
    },
  };
}

export type ClusterSnapshotActivities = ReturnType<typeof clusterSnapshotActivities>;
