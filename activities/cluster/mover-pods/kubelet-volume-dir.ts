import type { V1PersistentVolume } from '@kubernetes/client-node';
import { HostVolumeUnavailableError } from './mover-pod-failures.js';

/**
 * The kubelet's directory name for each volume plugin a PV may use (`/` becomes `~`). CSI volumes,
 * and in-tree ones migrated to CSI, are under `kubernetes.io~csi`; the in-tree names are what the
 * kubelet uses when a PV is still served by its in-tree plugin.
 */
const IN_TREE_PLUGINS = {
  nfs: 'kubernetes.io~nfs',
  local: 'kubernetes.io~local-volume',
  awsElasticBlockStore: 'kubernetes.io~aws-ebs',
  gcePersistentDisk: 'kubernetes.io~gce-pd',
  azureDisk: 'kubernetes.io~azure-disk',
  azureFile: 'kubernetes.io~azure-file',
  cephfs: 'kubernetes.io~cephfs',
  rbd: 'kubernetes.io~rbd',
  iscsi: 'kubernetes.io~iscsi',
  fc: 'kubernetes.io~fc',
  glusterfs: 'kubernetes.io~glusterfs',
} as const;

/**
 * Where the PV's data is on the node of the pod `podUid` that mounts it: `<pods>/<uid>/volumes/<plugin>/<pv>`,
 * and for CSI its `mount/` inside (beside the plugin's vol_data.json). A host-volume mover pod mounts
 * exactly this directory: the kubelet's pods directory holds every pod's volumes, secrets and service
 * account tokens, and a mover must see only the volume it copies.
 */
export function kubeletVolumeDir(kubeletPodsDir: string, podUid: string, pv: V1PersistentVolume): string {
  const name = pv.metadata?.name ?? '';
  const base = `${kubeletPodsDir.replace(/\/+$/, '')}/${podUid}/volumes`;
  if (pv.spec?.csi) return `${base}/kubernetes.io~csi/${name}/mount`;
  const source = (Object.keys(IN_TREE_PLUGINS) as (keyof typeof IN_TREE_PLUGINS)[]).find((key) => pv.spec?.[key]);
  if (!source) throw new HostVolumeUnavailableError(`volume ${name} has no volume source the host-volume method can read (CSI or an in-tree plugin such as nfs or local)`);
  return `${base}/${IN_TREE_PLUGINS[source]}/${name}`;
}
