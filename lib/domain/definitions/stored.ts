import type { CopyOptions, ExistingResourcePolicy, PersistentVolumeOptions, RestoreSelection, RestoreVolumeOptions, Selection, Transforms } from './options.js';

/**
 * What each definition kind keeps in its row's `spec` column. The API writes it from a validated
 * request, so every option is present with its default applied; readers take it as it is and never
 * default again. References (cluster, policy, storage target, recovery point) are columns of their own.
 */
export interface StoredBackupSpec {
  selection: Selection;
  persistentVolumes: PersistentVolumeOptions;
  advanced: Omit<CopyOptions, 'destinationStorageTargetId'>;
}

export interface StoredReplicationSpec extends StoredBackupSpec {
  destinationNamespaces: string[];
  /** Absent in specs saved before the option existed, which is its default: false. */
  replaceUnmanagedNamespaces?: boolean;
  transforms: Transforms;
}

export interface StoredRestoreSpec {
  /** `resources` and `volumes` are absent in specs saved before granular restores: their default, none. */
  selection: Omit<RestoreSelection, 'resources' | 'volumes'> & Partial<Pick<RestoreSelection, 'resources' | 'volumes'>>;
  transforms: Transforms;
  existingResources: ExistingResourcePolicy;
  persistentVolumes: RestoreVolumeOptions;
}
