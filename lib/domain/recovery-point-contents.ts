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
