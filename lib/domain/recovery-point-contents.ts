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
