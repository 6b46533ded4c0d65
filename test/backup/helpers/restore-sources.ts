import { SnapshotSources } from '../../../activities/cluster/restore/snapshot-sources.js';
import type { KubeObject } from '../../../activities/cluster/export/kube-object.js';
import { KubeRestClient } from '../../../lib/kube/rest-client.js';
import type { EmulatedCluster } from '../../emulator/helpers/cluster.js';

/** What a restore leaves for one claim it fills from a snapshot: the VolumeSnapshot beside it and its content. */
export interface LeftSource {
  claim: string;
  snapshotName: string;
  contentName: string;
}

/**
 * The snapshot sources a restore run `jobId` makes for `claims` in `namespace` from the driver snapshot
 * `snapshotHandle`, made by the restore's own code (SnapshotSources), as a run stopped before releasing
 * them leaves them. Each claim named in `written` is then created as the restore writes it, pointing at
 * its source, in a WaitForFirstConsumer class: it stays Pending, waiting for a consumer, as it would.
 */
export async function leaveRestoreSources(cluster: EmulatedCluster, jobId: string, namespace: string, snapshotHandle: string, claims: string[], written: string[]): Promise<LeftSource[]> {
  const kube = new KubeRestClient(cluster.config);
  const storageClassName = 'csi-hostpath-retain';
  const sources = new SnapshotSources(
    kube,
    jobId,
    claims.map((claim) => ({ namespace, claim, storageClass: storageClassName, snapshotHandle })),
  );
  const left: LeftSource[] = [];
  for (const claim of claims) {
    const object: KubeObject = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: claim, namespace },
      spec: { storageClassName, accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Mi' } } },
    };
    const resource = { typeId: 'persistentvolumeclaims', apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace, name: claim, reason: 'selected' as const, object };
    sources.prepareObject(resource, object);
    await sources.beforeWrite(resource, object);
    if (written.includes(claim)) await kube.post(`/api/v1/namespaces/${namespace}/persistentvolumeclaims`, object);
    const snapshotName = (object.spec?.dataSource as { name: string }).name;
    const snapshot = (await kube.get(`/apis/snapshot.storage.k8s.io/v1/namespaces/${namespace}/volumesnapshots/${snapshotName}`)) as { spec: { source: { volumeSnapshotContentName: string } } };
    left.push({ claim, snapshotName, contentName: snapshot.spec.source.volumeSnapshotContentName });
  }
  return left;
}
