/** The VolumeSnapshot v1 objects as they travel on the wire (CustomObjectsApi returns plain JSON). */
export interface SnapshotError {
  message?: string;
  time?: string;
}

export interface VolumeSnapshot {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    resourceVersion?: string;
    deletionTimestamp?: string;
    finalizers?: string[];
    annotations?: Record<string, string>;
  };
  spec: { volumeSnapshotClassName?: string; source: { persistentVolumeClaimName?: string; volumeSnapshotContentName?: string } };
  status?: {
    boundVolumeSnapshotContentName?: string;
    creationTime?: string;
    readyToUse?: boolean;
    restoreSize?: string;
    error?: SnapshotError;
  };
}

export interface VolumeSnapshotContent {
  metadata: {
    name: string;
    uid: string;
    resourceVersion?: string;
    deletionTimestamp?: string;
    finalizers?: string[];
    annotations?: Record<string, string>;
  };
  spec: {
    deletionPolicy: 'Delete' | 'Retain';
    driver: string;
    volumeSnapshotClassName?: string;
    source: { volumeHandle?: string; snapshotHandle?: string };
    volumeSnapshotRef: { name?: string; namespace?: string; uid?: string; kind?: string; apiVersion?: string };
    sourceVolumeMode?: string;
  };
  status?: { snapshotHandle?: string; creationTime?: number; readyToUse?: boolean; restoreSize?: number; error?: SnapshotError };
}

export interface VolumeSnapshotClass {
  metadata: { name: string; annotations?: Record<string, string> };
  driver: string;
  deletionPolicy: 'Delete' | 'Retain';
  parameters?: Record<string, string>;
}

export const SNAPSHOT_FINALIZER = {
  asSource: 'snapshot.storage.kubernetes.io/volumesnapshot-as-source-protection',
  bound: 'snapshot.storage.kubernetes.io/volumesnapshot-bound-protection',
  content: 'snapshot.storage.kubernetes.io/volumesnapshotcontent-bound-protection',
  pvcAsSource: 'snapshot.storage.kubernetes.io/pvc-as-source-protection',
} as const;

export const SNAPSHOT_BEING_DELETED_ANNOTATION = 'snapshot.storage.kubernetes.io/volumesnapshot-being-deleted';
export const DEFAULT_SNAPSHOT_CLASS_ANNOTATION = 'snapshot.storage.kubernetes.io/is-default-class';
/** Per-snapshot override of the emulator's readiness delay, for tests of snapshot timeouts. */
export const READY_DELAY_ANNOTATION = 'emulator.haven.test/ready-delay-ms';

export function dynamicContentName(snapshot: VolumeSnapshot): string {
  return `snapcontent-${snapshot.metadata.uid}`;
}
