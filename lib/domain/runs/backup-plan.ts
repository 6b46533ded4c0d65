import type { HookPhase } from '../../common/enums.js';
import { DEFAULT_RESTORE_TOTAL_CONCURRENT_FILES } from '../definitions/options.js';
import type { CopyOptions, PersistentVolumeOptions, RestoreVolumeOptions } from '../definitions/options.js';
import type { StoredBackupSpec, StoredReplicationSpec } from '../definitions/stored.js';

/**
 * How a backup run protects its volumes, taken whole from the definition when the run is resolved.
 * The workflow reads nothing else of the definition: a later edit changes the next run, never this one.
 */
export interface BackupPlan {
  /** Where the run's hooks are bound: a replication's backup runs its source-side hooks. */
  hookPhases: { pre: HookPhase; post: HookPhase };
  persistentVolumes: Pick<PersistentVolumeOptions, 'include' | 'mode'>;
  csiSnapshotTimeoutMinutes: number;
  /** How BACKUP_TO_OBJECT_STORAGE copies PVs. */
  copy: CopyPlan;
}

export type CopyPlan = Pick<PersistentVolumeOptions, 'snapshotBeforeBackup' | 'preserveSnapshots' | 'snapshotRetentionDays' | 'backupUnsnapshottedPvs' | 'methodByStorageClass'> &
  Omit<CopyOptions, 'destinationStorageTargetId' | 'csiSnapshotTimeoutMinutes'>;

/** A backup definition's plan. */
export function backupPlan(spec: StoredBackupSpec): BackupPlan {
  return planOf(spec, { pre: 'PRE_BACKUP', post: 'POST_BACKUP' }, spec.persistentVolumes.mode);
}

/** A replication's backup side: its source hooks, and PV data always copied, since it must reach another cluster. */
export function replicationBackupPlan(spec: StoredReplicationSpec): BackupPlan {
  return planOf(spec, { pre: 'SOURCE_PRE_BACKUP', post: 'SOURCE_POST_BACKUP' }, 'BACKUP_TO_OBJECT_STORAGE');
}

function planOf(spec: StoredBackupSpec, hookPhases: BackupPlan['hookPhases'], mode: PersistentVolumeOptions['mode']): BackupPlan {
  const { persistentVolumes: pv, advanced } = spec;
  const { csiSnapshotTimeoutMinutes, ...copyOptions } = advanced;
  return {
    hookPhases,
    persistentVolumes: { include: pv.include, mode },
    csiSnapshotTimeoutMinutes,
    copy: {
      ...copyOptions,
      snapshotBeforeBackup: pv.snapshotBeforeBackup,
      preserveSnapshots: pv.preserveSnapshots,
      snapshotRetentionDays: pv.snapshotRetentionDays,
      backupUnsnapshottedPvs: pv.backupUnsnapshottedPvs,
      methodByStorageClass: pv.methodByStorageClass,
    },
  };
}

/**
 * A replication's restore side: the definition's copy options as a restore reads them. Total
 * concurrent files is a backup figure, so the restore keeps the restore default.
 */
export function replicationRestoreVolumes(spec: StoredReplicationSpec): RestoreVolumeOptions {
  return {
    include: spec.persistentVolumes.include,
    concurrentPvs: spec.advanced.concurrentPvs,
    totalConcurrentFiles: DEFAULT_RESTORE_TOTAL_CONCURRENT_FILES,
    dataMoverPodTimeoutMinutes: spec.advanced.dataMoverPodTimeoutMinutes,
    dataMoverMemoryLimitMiB: spec.advanced.dataMoverMemoryLimitMiB,
  };
}
