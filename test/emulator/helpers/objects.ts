import type { V1PersistentVolumeClaim, V1Pod } from '@kubernetes/client-node';
import type { KubeApi } from '../support/kube-api.js';
import { volumeSnapshots } from '../support/kube-api.js';
import type { VolumeSnapshot } from '../snapshots/types.js';
import { eventually } from './cluster.js';

export function aClaim(name: string, options: { storageClass?: string; size?: string; block?: boolean; fromSnapshot?: string } = {}): V1PersistentVolumeClaim {
  return {
    metadata: { name },
    spec: {
      accessModes: ['ReadWriteOnce'],
      storageClassName: options.storageClass ?? 'csi-hostpath',
      volumeMode: options.block ? 'Block' : 'Filesystem',
      resources: { requests: { storage: options.size ?? '1Gi' } },
      ...(options.fromSnapshot ? { dataSource: { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: options.fromSnapshot } } : {}),
    },
  };
}

export async function boundClaim(api: KubeApi, namespace: string, name: string): Promise<V1PersistentVolumeClaim> {
  return eventually(async () => {
    const pvc = await api.core.readNamespacedPersistentVolumeClaim({ namespace, name });
    return pvc.status?.phase === 'Bound' ? pvc : undefined;
  }, `PVC ${namespace}/${name} to be Bound`);
}

export async function createSnapshot(api: KubeApi, namespace: string, name: string, pvc: string, extra: { className?: string; annotations?: Record<string, string> } = {}) {
  await api.custom.createNamespacedCustomObject({
    ...volumeSnapshots,
    namespace,
    body: {
      apiVersion: 'snapshot.storage.k8s.io/v1',
      kind: 'VolumeSnapshot',
      metadata: { name, annotations: extra.annotations ?? {} },
      spec: { ...(extra.className ? { volumeSnapshotClassName: extra.className } : {}), source: { persistentVolumeClaimName: pvc } },
    },
  });
}

export async function readSnapshot(api: KubeApi, namespace: string, name: string): Promise<VolumeSnapshot> {
  return (await api.custom.getNamespacedCustomObject({ ...volumeSnapshots, namespace, name })) as VolumeSnapshot;
}

export async function readySnapshot(api: KubeApi, namespace: string, name: string): Promise<VolumeSnapshot> {
  return eventually(async () => {
    const snapshot = await readSnapshot(api, namespace, name);
    return snapshot.status?.readyToUse ? snapshot : undefined;
  }, `snapshot ${namespace}/${name} to be ready`);
}

export async function podInPhase(api: KubeApi, namespace: string, name: string, phases: string[]): Promise<V1Pod> {
  return eventually(async () => {
    const pod = await api.core.readNamespacedPod({ namespace, name });
    return phases.includes(pod.status?.phase ?? '') ? pod : undefined;
  }, `pod ${namespace}/${name} to reach ${phases.join(' or ')}`);
}

export async function eventsFor(api: KubeApi, namespace: string, name: string) {
  const events = await api.core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${name}` });
  return events.items;
}
