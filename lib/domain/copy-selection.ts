import type { BackupVolume } from '../../proto/agent/index.js';
import type { CopyPlan } from './runs/backup-plan.js';

/** A claim a CSI snapshot can be taken of: its driver has a snapshot class and nothing rules it out. */
export const snapshottable = (volume: BackupVolume): boolean => !volume.unsupportedReason && Boolean(volume.snapshotClass);

/** How each selected claim of a copy run is read, or why it is not. */
export interface CopySelection {
  /** Snapshotted, then copied from a temporary claim of the snapshot. */
  fromSnapshot: BackupVolume[];
  /** Copied from the live claim (no snapshot possible or wanted); post-hooks wait for these. */
  live: BackupVolume[];
  /** Copied live from the node's pod volume directory (method HOST); post-hooks wait for these too. */
  host: BackupVolume[];
  /** Reported on the job as not backed up, with the reason. */
  notBackedUp: { volume: BackupVolume; reason: string }[];
  /** Left out on purpose (unattached, method SKIP): named in the job's message only. */
  skipped: { volume: BackupVolume; reason: string }[];
}

/**
 * Chooses a method per claim: the storage class's method when the definition sets one; otherwise a
 * snapshot when the CSI driver can take one (and snapshotBeforeBackup), else a live read when
 * backupUnsnapshottedPvs. HOST reads the volume from the node (`<kubelet pods dir>/<pod>/volumes/…`) of a pod
 * that mounts it. Unbound claims hold no data; unattached ones go when excludeUnattachedPvcs.
 */
export function selectCopies(volumes: readonly BackupVolume[], plan: CopyPlan): CopySelection {
  const selection: CopySelection = { fromSnapshot: [], live: [], host: [], notBackedUp: [], skipped: [] };
  for (const volume of volumes) {
    if (!volume.volumeName) {
      selection.notBackedUp.push({ volume, reason: volume.unsupportedReason ?? 'the claim is not bound to a volume' });
      continue;
    }
    if (plan.excludeUnattachedPvcs && volume.attached === false) {
      selection.skipped.push({ volume, reason: 'no pod mounts it and unattached PVCs are excluded' });
      continue;
    }
    const method = plan.methodByStorageClass[volume.storageClass];
    if (method === 'SKIP') selection.skipped.push({ volume, reason: `storage class ${volume.storageClass} is set to SKIP` });
    else if (method === 'SNAPSHOT' && !snapshottable(volume)) selection.notBackedUp.push({ volume, reason: `its storage class is set to SNAPSHOT but ${volume.unsupportedReason ?? 'it cannot be snapshotted'}` });
    else if (method === 'SNAPSHOT') selection.fromSnapshot.push(volume);
    else if (method === 'PVC') selection.live.push(volume);
    else if (method === 'HOST' && volume.volumeMode === 'Block') selection.notBackedUp.push({ volume, reason: 'a Block volume cannot be read from the host volume directory; choose SNAPSHOT or PVC for its storage class' });
    else if (method === 'HOST') selection.host.push(volume);
    else if (plan.snapshotBeforeBackup && snapshottable(volume)) selection.fromSnapshot.push(volume);
    else if (plan.backupUnsnapshottedPvs) selection.live.push(volume);
    else selection.notBackedUp.push({ volume, reason: `${volume.unsupportedReason ?? 'it is not snapshotted'}, and backupUnsnapshottedPvs is off` });
  }
  return selection;
}
