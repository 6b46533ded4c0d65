import type { BackupVolume, PreviewBackupRequest, PreviewVolume } from '../../../proto/agent/index.js';
import { selectCopies, snapshottable } from '../../../lib/domain/copy-selection.js';
import type { CopyPlan } from '../../../lib/domain/runs/backup-plan.js';

type VolumeOptions = PreviewBackupRequest['persistentVolumes'];
type Method = Pick<PreviewVolume, 'method' | 'reason'>;

/** The fields of a copy plan that choose methods (selectCopies reads no others). */
type MethodPlan = Pick<CopyPlan, 'snapshotBeforeBackup' | 'backupUnsnapshottedPvs' | 'methodByStorageClass' | 'excludeUnattachedPvcs'>;

/**
 * How a run would protect each selected claim, decided by the very functions the backup workflow
 * uses (snapshot-only: `snapshottable`; copy: `selectCopies`), so a preview cannot promise what a run
 * would not do. Results follow the order of `volumes`.
 */
export function volumeMethods(volumes: readonly BackupVolume[], options: VolumeOptions): Method[] {
  if (!options.include) return volumes.map(() => ({ method: 'SKIP', reason: 'persistent volumes are not included in this definition' }));
  if (options.mode === 'SNAPSHOT_ONLY') {
    return volumes.map((volume) => (snapshottable(volume) ? { method: 'SNAPSHOT' } : { method: 'SKIP', reason: volume.unsupportedReason ?? 'it cannot be snapshotted' }));
  }
  const plan: MethodPlan = {
    snapshotBeforeBackup: options.snapshotBeforeBackup,
    backupUnsnapshottedPvs: options.backupUnsnapshottedPvs,
    methodByStorageClass: options.methodByStorageClass,
    excludeUnattachedPvcs: options.excludeUnattachedPvcs,
  };
  const selection = selectCopies(volumes, plan as CopyPlan);
  const methods = new Map<BackupVolume, Method>();
  for (const volume of selection.fromSnapshot) methods.set(volume, { method: 'SNAPSHOT' });
  for (const volume of selection.live) methods.set(volume, { method: 'PVC', reason: liveReason(volume, options) });
  for (const volume of selection.host) methods.set(volume, { method: 'HOST', reason: `set for storage class ${volume.storageClass}` });
  for (const { volume, reason } of [...selection.notBackedUp, ...selection.skipped]) methods.set(volume, { method: 'SKIP', reason });
  return volumes.map((volume) => methods.get(volume) ?? { method: 'SKIP', reason: 'not selected by the copy plan' });
}

function liveReason(volume: BackupVolume, options: VolumeOptions): string {
  if (options.methodByStorageClass[volume.storageClass] === 'PVC') return `set for storage class ${volume.storageClass}`;
  if (!snapshottable(volume)) return `read live: ${volume.unsupportedReason ?? 'it cannot be snapshotted'}`;
  return 'snapshots before backup are off: the live claim is read';
}
