import { SNAPSHOT_LABELS } from '../../../proto/agent/index.js';
import { MOVER_LABELS } from '../../../proto/mover/index.js';
import type { EmulatedCluster } from '../../emulator/helpers/cluster.js';
import { volumeSnapshots } from '../../emulator/support/kube-api.js';

/**
 * Everything labelled with a job that is still in the cluster: mover pods, temporary claims, mover
 * credentials and VolumeSnapshots, as `<kind> <namespace>/<name>`. Objects already being deleted count:
 * a pod stuck terminating is still there. Without `jobId`: what any job left in this emulator's namespaces.
 */
export async function jobLeftovers(cluster: EmulatedCluster, jobId?: string): Promise<string[]> {
  const labelled = (label: string) => (jobId === undefined ? label : `${label}=${jobId}`);
  const found = await labelledWith(cluster, labelled(MOVER_LABELS.job), labelled(SNAPSHOT_LABELS.job));
  if (jobId !== undefined) return found;
  return found.filter((item) => item.split(' ')[1]!.startsWith(`${cluster.prefix}-`));
}

async function labelledWith(cluster: EmulatedCluster, moverSelector: string, snapshotSelector: string): Promise<string[]> {
  const selector = { labelSelector: moverSelector };
  const name = (kind: string) => (item: { metadata?: { namespace?: string; name?: string } }) => `${kind} ${item.metadata?.namespace}/${item.metadata?.name}`;
  const snapshots = (await cluster.api.custom.listClusterCustomObject({ ...volumeSnapshots, labelSelector: snapshotSelector })) as {
    items: { metadata?: { namespace?: string; name?: string } }[];
  };
  return [
    ...(await cluster.api.core.listPodForAllNamespaces(selector)).items.map(name('pod')),
    ...(await cluster.api.core.listPersistentVolumeClaimForAllNamespaces(selector)).items.map(name('persistentvolumeclaim')),
    ...(await cluster.api.core.listSecretForAllNamespaces(selector)).items.map(name('secret')),
    ...snapshots.items.map(name('volumesnapshot')),
  ];
}
