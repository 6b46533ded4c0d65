import type { KubeConfig } from '@kubernetes/client-node';
import { Worker, type NativeConnection } from '@temporalio/worker';
import { clusterBackupActivities } from '../../activities/cluster/backup/export-to-repository.js';
import { leftoverActivities } from '../../activities/cluster/leftovers/leftover-activities.js';
import { moverPodActivities } from '../../activities/cluster/mover-pods/mover-pod-activities.js';
import type { MoverPodSettings } from '../../activities/cluster/mover-pods/mover-settings.js';
import { clusterHookActivities } from '../../activities/cluster/backup/run-backup-hook.js';
import { clusterPreviewActivities } from '../../activities/cluster/export/preview-backup.js';
import { clusterInventoryActivities } from '../../activities/cluster/inventory/cluster-inventory.js';
import { KubernetesPodExecutor } from '../../activities/cluster/exec/kubernetes-pod-executor.js';
import type { PodExecutor } from '../../activities/cluster/exec/pod-executor.js';
import { KubeRestClient } from '../../lib/kube/rest-client.js';
import { clusterRestoreActivities } from '../../activities/cluster/restore/restore-from-repository.js';
import { clusterStorageClassActivities } from '../../activities/cluster/restore/restore-from-repository-storage-classes.js';
import { clusterRestoreVolumeActivities } from '../../activities/cluster/restore/restore-volume-activities.js';
import { clusterReplicationActivities } from '../../activities/cluster/replication/replication-activities.js';
import { clusterSnapshotActivities } from '../../activities/cluster/snapshots/snapshot-activities.js';
import { clusterDrillActivities } from '../../activities/cluster/drills/drill-activities.js';
import { clusterTaskQueue } from '../../lib/common/temporal/names.js';
import type { Registry } from 'prom-client';
import { instrumentActivities } from '../../lib/common/metrics/activity-metrics.js';

export interface AgentWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  clusterId: string;
  kubeConfig: KubeConfig;
  /** How hooks reach containers: the Kubernetes exec API unless a test cluster has no kubelet (the node emulator's). */
  executor?: PodExecutor;
  /** How data-mover pods reach Temporal and which image they run; without it, copy steps fail saying so. */
  mover?: MoverPodSettings;
  /** Counts and times the activities for /metrics. */
  metrics?: Registry;
}

function instrumented<T extends Parameters<typeof instrumentActivities>[2]>(registry: Registry | undefined, activities: T): T {
  return registry ? instrumentActivities(registry, 'agent', activities) : activities;
}

/**
 * The agent: an activities-only worker on its own cluster's queue. It only connects out (to Haven's
 * agent gateway and to its API server); polling is what makes the cluster ACTIVE. It holds no payload
 * key: the gateway opens its tasks' payloads for it and seals what it answers.
 */
export function createAgentWorker(options: AgentWorkerOptions): Promise<Worker> {
  const kube = new KubeRestClient(options.kubeConfig);
  const executor = options.executor ?? new KubernetesPodExecutor(options.kubeConfig);
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: clusterTaskQueue(options.clusterId),
    activities: instrumented(options.metrics, {
      ...clusterBackupActivities({ kube }),
      ...clusterHookActivities({ kube, executor }),
      ...clusterSnapshotActivities({ kubeConfig: options.kubeConfig }),
      ...clusterRestoreActivities({ kube }),
      ...clusterDrillActivities({ kube }),
      ...clusterStorageClassActivities({ kube }),
      ...moverPodActivities({ kubeConfig: options.kubeConfig, ...(options.mover ? { mover: options.mover } : {}) }),
      ...clusterRestoreVolumeActivities({ kube }),
      ...clusterReplicationActivities({ kube }),
      ...clusterPreviewActivities({ kube, kubeConfig: options.kubeConfig }),
      ...clusterInventoryActivities({ kube }),
      ...leftoverActivities({ kubeConfig: options.kubeConfig }),
    }),
    // A cancelled run's request reaches an activity only in the answer to a heartbeat the SDK sends. Held
    // back for the default 80% of the heartbeat timeout, a snapshot wait or a hook went on for up to 48 s
    // after its run was cancelled; at 5 s it stops within a few seconds, for one small RPC per activity.
    maxHeartbeatThrottleInterval: '5s',
    defaultHeartbeatThrottleInterval: '5s',
  });
}
