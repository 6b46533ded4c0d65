import type { V1PersistentVolume } from '@kubernetes/client-node';
import { writeKnownData } from '../../fixtures/volume-data.js';
import type { EmulatedCluster } from '../../emulator/helpers/cluster.js';
import { aClaim, boundClaim, podInPhase } from '../../emulator/helpers/objects.js';
import { volumeSnapshots } from '../../emulator/support/kube-api.js';
import type { VolumeSnapshot } from '../../emulator/snapshots/types.js';
import { deleteSnapshotData } from '../../../activities/cluster/snapshots/retain-content.js';
import { SnapshotApi } from '../../../activities/cluster/snapshots/snapshot-api.js';

/** Where the app's pod mounts its data claim. */
export const DATA_MOUNT = '/data';

export interface EmulatedApp {
  namespace: string;
  /** The snapshot-capable claim (csi-hostpath) the pod mounts at DATA_MOUNT, with known data. */
  dataClaim: string;
  dataVolume: V1PersistentVolume;
  /** Where the emulator keeps that volume's bytes. */
  dataPath: string;
}

/**
 * A small application on an emulated cluster: pod `db` (label app=db, container `app`) mounting a
 * csi-hostpath claim with known data; optionally a claim whose driver cannot snapshot.
 */
export async function deployEmulatedApp(cluster: EmulatedCluster, options: { label?: string; unsnapshottableClaim?: boolean } = {}): Promise<EmulatedApp> {
  const namespace = await cluster.namespace(options.label ?? 'app');
  const dataClaim = 'data';
  await cluster.api.core.createNamespacedPersistentVolumeClaim({ namespace, body: aClaim(dataClaim, { size: '64Mi' }) });
  if (options.unsnapshottableClaim) await cluster.api.core.createNamespacedPersistentVolumeClaim({ namespace, body: aClaim('files', { storageClass: 'csi-files', size: '16Mi' }) });
  const bound = await boundClaim(cluster.api, namespace, dataClaim);
  if (options.unsnapshottableClaim) await boundClaim(cluster.api, namespace, 'files');
  const dataVolume = await cluster.api.core.readPersistentVolume({ name: bound.spec?.volumeName ?? '' });
  const dataPath = cluster.node.volumePath(dataVolume);
  await writeKnownData(dataPath, `${namespace}/${dataClaim}`, { largeFileMiB: 2, smallFiles: 20 });
  await cluster.api.core.createNamespacedPod({
    namespace,
    body: {
      metadata: { name: 'db', labels: { app: 'db' } },
      spec: {
        containers: [{ name: 'app', image: 'busybox', volumeMounts: [{ name: 'data', mountPath: DATA_MOUNT }] }],
        volumes: [{ name: 'data', persistentVolumeClaim: { claimName: dataClaim } }],
      },
    },
  });
  await podInPhase(cluster.api, namespace, 'db', ['Running']);
  return { namespace, dataClaim, dataVolume, dataPath };
}

/** The VolumeSnapshots in a namespace (Haven's carry the job label). */
export async function listSnapshots(cluster: EmulatedCluster, namespace: string): Promise<VolumeSnapshot[]> {
  const list = (await cluster.api.custom.listNamespacedCustomObject({ ...volumeSnapshots, namespace })) as { items: VolumeSnapshot[] };
  return list.items;
}

/**
 * Deletes the snapshots a backup kept in a namespace through Haven's own delete, data included: kept
 * contents are Retain, so the emulator's teardown of the namespace would leave them on the API server.
 */
export async function dropKeptSnapshots(cluster: EmulatedCluster, namespace: string): Promise<void> {
  const api = new SnapshotApi(cluster.config);
  for (const snapshot of await listSnapshots(cluster, namespace)) await deleteSnapshotData(api, { namespace, snapshotName: snapshot.metadata.name });
}
