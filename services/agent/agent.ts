import type { KubeConfig } from '@kubernetes/client-node';
import { Worker, type NativeConnection } from '@temporalio/worker';
import { clusterBackupActivities } from '../../activities/cluster/backup/export-to-repository.js';
import { KubeRestClient } from '../../activities/cluster/kube/rest-client.js';
import type { SecretKeyring } from '../common/secrets.js';
import { havenDataConverter } from '../common/temporal/data-converter.js';
import { clusterTaskQueue } from '../common/temporal/names.js';

export interface AgentWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  clusterId: string;
  kubeConfig: KubeConfig;
  payloadKeyring: SecretKeyring;
}

/**
 * The agent: an activities-only worker on its own cluster's queue. It only connects out (to Temporal
 * and to its API server); polling is what makes the cluster ACTIVE.
 */
export function createAgentWorker(options: AgentWorkerOptions): Promise<Worker> {
  const kube = new KubeRestClient(options.kubeConfig);
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: clusterTaskQueue(options.clusterId),
    activities: { ...clusterBackupActivities({ kube }) },
    dataConverter: havenDataConverter(options.payloadKeyring),
  });
}
