import type { V1StorageClass } from '@kubernetes/client-node';
import { createIfAbsent, volumeSnapshotClasses, type KubeApi } from '../support/kube-api.js';

/** What an emulated provisioner puts in the PV's source, which decides the kubelet's directory layout. */
export type VolumeSourceKind = 'csi' | 'nfs' | 'local';

/** One storage backend the emulator plays: a CSI driver, an NFS provisioner or local static volumes. */
export interface EmulatedDriver {
  /** The StorageClass provisioner and, for CSI, the driver name. */
  provisioner: string;
  source: VolumeSourceKind;
  /** Whether the driver answers CreateSnapshot (and restores from snapshots). */
  snapshots: boolean;
}

export const HOSTPATH_DRIVER: EmulatedDriver = { provisioner: 'hostpath.csi.k8s.io', source: 'csi', snapshots: true };
/** A CSI driver without the snapshot capability, like EFS's: its PVs must be copied live. */
export const FILES_DRIVER: EmulatedDriver = { provisioner: 'files.csi.haven.test', source: 'csi', snapshots: false };
export const NFS_PROVISIONER: EmulatedDriver = { provisioner: 'cluster.local/nfs-subdir-external-provisioner', source: 'nfs', snapshots: false };
export const LOCAL_STATIC: EmulatedDriver = { provisioner: 'kubernetes.io/no-provisioner', source: 'local', snapshots: false };

export const EMULATED_DRIVERS = [HOSTPATH_DRIVER, FILES_DRIVER, NFS_PROVISIONER, LOCAL_STATIC] as const;

/** The names tests and Haven's storage-class mapping refer to. */
export const STORAGE_CLASS = {
  /** Snapshot-capable CSI class, the cluster default. */
  csi: 'csi-hostpath',
  /** Same driver, other parameters and Retain: a target for storage-class mapping. */
  csiRetain: 'csi-hostpath-retain',
  /** CSI class whose driver cannot snapshot. */
  csiNoSnapshot: 'csi-files',
  nfs: 'nfs-client',
  local: 'local-storage',
} as const;

export const SNAPSHOT_CLASS = {
  /** The default class of the hostpath driver, deletionPolicy Delete. */
  delete: 'csi-hostpath-snapclass',
  retain: 'csi-hostpath-snapclass-retain',
} as const;

const storageClasses: V1StorageClass[] = [
  {
    metadata: { name: STORAGE_CLASS.csi, annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
    provisioner: HOSTPATH_DRIVER.provisioner,
    parameters: { tier: 'standard' },
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'Immediate',
    allowVolumeExpansion: true,
  },
  {
    metadata: { name: STORAGE_CLASS.csiRetain },
    provisioner: HOSTPATH_DRIVER.provisioner,
    parameters: { tier: 'fast' },
    reclaimPolicy: 'Retain',
    volumeBindingMode: 'WaitForFirstConsumer',
  },
  {
    metadata: { name: STORAGE_CLASS.csiNoSnapshot },
    provisioner: FILES_DRIVER.provisioner,
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'Immediate',
  },
  {
    metadata: { name: STORAGE_CLASS.nfs },
    provisioner: NFS_PROVISIONER.provisioner,
    parameters: { archiveOnDelete: 'false' },
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'Immediate',
  },
  {
    metadata: { name: STORAGE_CLASS.local },
    provisioner: LOCAL_STATIC.provisioner,
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
  },
];

export function driverOf(provisioner: string | undefined): EmulatedDriver | undefined {
  return EMULATED_DRIVERS.find((driver) => driver.provisioner === provisioner);
}

/**
 * Registers the CSIDrivers, StorageClasses and VolumeSnapshotClasses. Objects that already exist are
 * kept: several emulators may share one API server (one per test file), and they agree on these.
 */
export async function registerStorage(api: KubeApi): Promise<void> {
  for (const driver of [HOSTPATH_DRIVER, FILES_DRIVER]) {
    await createIfAbsent(() =>
      api.storage.createCSIDriver({
        body: {
          metadata: { name: driver.provisioner },
          spec: { attachRequired: false, podInfoOnMount: true, volumeLifecycleModes: ['Persistent'], fsGroupPolicy: 'File' },
        },
      }),
    );
  }
  for (const body of storageClasses) await createIfAbsent(() => api.storage.createStorageClass({ body }));
  const snapshotClasses = [
    { name: SNAPSHOT_CLASS.delete, deletionPolicy: 'Delete', annotations: { 'snapshot.storage.kubernetes.io/is-default-class': 'true' } },
    { name: SNAPSHOT_CLASS.retain, deletionPolicy: 'Retain', annotations: {} },
  ];
  for (const { name, deletionPolicy, annotations } of snapshotClasses) {
    await createIfAbsent(() =>
      api.custom.createClusterCustomObject({
        ...volumeSnapshotClasses,
        body: {
          apiVersion: 'snapshot.storage.k8s.io/v1',
          kind: 'VolumeSnapshotClass',
          metadata: { name, annotations },
          driver: HOSTPATH_DRIVER.provisioner,
          deletionPolicy,
        },
      }),
    );
  }
}
