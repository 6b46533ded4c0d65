import type { KeptSnapshot } from './kept-snapshot.js';

/** What a recovery point holds, as its row's `contents` records it and restores read it. */
export interface StoredRecoveryPointContents {
  namespaces: string[];
  resourceCount: number;
  persistentVolumes: StoredRecoveryPointVolume[];
}

/** One protected PV. The snapshot fields are set for method SNAPSHOT: the snapshot IS the PV's data. */
export interface StoredRecoveryPointVolume {
  namespace: string;
  claim: string;
  storageClass: string;
  sizeBytes: number;
  method: string;
  volumeName?: string;
  volumeMode?: 'Filesystem' | 'Block';
  snapshotClass?: string;
  snapshotName?: string;
  snapshotContentName?: string;
  snapshotHandle?: string;
}

/** The repository snapshots a point's data lives in: its resources, and each PV copied into the repository. */
export function repositorySnapshotIds(contents: { resourcesSnapshotId?: string; persistentVolumes?: readonly object[] }): string[] {
  const copies = ((contents.persistentVolumes ?? []) as { copySnapshotId?: string }[]).flatMap((v) => (v.copySnapshotId ? [v.copySnapshotId] : []));
  return [...(contents.resourcesSnapshotId ? [contents.resourcesSnapshotId] : []), ...copies];
}

export function keptSnapshotsOf(contents: { persistentVolumes?: readonly StoredRecoveryPointVolume[] }): KeptSnapshot[] {
  return (contents.persistentVolumes ?? []).flatMap((v) => {
    if (!v.snapshotName) return [];
    const driver = (v as { snapshotDriver?: string }).snapshotDriver;
    return [
      {
        namespace: v.namespace,
        snapshotName: v.snapshotName,
        ...(v.snapshotContentName ? { contentName: v.snapshotContentName } : {}),
        ...(v.snapshotHandle ? { snapshotHandle: v.snapshotHandle } : {}),
        ...(driver ? { driver } : {}),
      },
    ];
  });
}

/** How a kept snapshot reads on a job: enough to find and delete it by hand. */
export function describeKeptSnapshot(snapshot: KeptSnapshot): string {
  const parts = [snapshot.contentName && `content ${snapshot.contentName}`, snapshot.snapshotHandle && `handle ${snapshot.snapshotHandle}`, snapshot.driver && `driver ${snapshot.driver}`].filter(Boolean);
  return `VolumeSnapshot ${snapshot.namespace}/${snapshot.snapshotName}${parts.length ? ` (${parts.join(', ')})` : ''}`;
}
