import type { BackupVolume, PreviewBackupRequest, PreviewVolume } from '../../../proto/agent/index.js';

type VolumeOptions = PreviewBackupRequest['persistentVolumes'];

/**
 * How a run would protect one selected claim, following the product's rules in order: PVs left out
 * or unattached-and-excluded are skipped; "snapshot only" snapshots what it can; a copy backup takes a
 * storage class's explicit method first, else reads from a snapshot when it may and can, else reads
 * the live claim when "back up directly from PVs not snapshotted" is on.
 */
export function volumeMethod(volume: BackupVolume, options: VolumeOptions, attached: boolean): Pick<PreviewVolume, 'method' | 'reason'> {
  if (!options.include) return { method: 'SKIP', reason: 'persistent volumes are not included in this definition' };
  if (options.excludeUnattachedPvcs && !attached) return { method: 'SKIP', reason: 'no pod mounts the claim and unattached claims are excluded' };
  const unbound = !volume.volumeName;
  if (unbound) return { method: 'SKIP', reason: volume.unsupportedReason ?? 'the claim is not bound to a volume' };
  const snapshottable = volume.unsupportedReason === undefined;
  if (options.mode === 'SNAPSHOT_ONLY') {
    return snapshottable ? { method: 'SNAPSHOT' } : { method: 'SKIP', reason: volume.unsupportedReason };
  }
  const chosen = options.methodByStorageClass[volume.storageClass];
  if (chosen) {
    if (chosen === 'SNAPSHOT' && !snapshottable) return { method: 'SKIP', reason: `storage class ${volume.storageClass} is set to SNAPSHOT, but ${volume.unsupportedReason}` };
    if (chosen === 'SKIP') return { method: 'SKIP', reason: `storage class ${volume.storageClass} is set to SKIP` };
    return { method: chosen, reason: `set for storage class ${volume.storageClass}` };
  }
  if (options.snapshotBeforeBackup && snapshottable) return { method: 'SNAPSHOT' };
  if (options.backupUnsnapshottedPvs) {
    return { method: 'PVC', reason: snapshottable ? 'snapshots before backup are off: the live claim is read' : `read live: ${volume.unsupportedReason}` };
  }
  return {
    method: 'SKIP',
    reason: snapshottable ? 'snapshots before backup and direct backups are both off' : `${volume.unsupportedReason}, and direct backups of PVs not snapshotted are off`,
  };
}
