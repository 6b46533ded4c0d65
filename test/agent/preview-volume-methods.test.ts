import { describe, expect, it } from 'vitest';
import { volumeMethod } from '../../activities/cluster/export/preview-volume-methods.js';
import type { BackupVolume, PreviewBackupRequest } from '../../proto/agent/index.js';

const csi: BackupVolume = { namespace: 'shop', claim: 'db', storageClass: 'fast', volumeName: 'pv-1', volumeMode: 'Filesystem', sizeBytes: 1, driver: 'd', snapshotClass: 'c' };
const nfs: BackupVolume = { ...csi, claim: 'files', storageClass: 'nfs', driver: undefined, snapshotClass: undefined, unsupportedReason: 'volume pv-2 is not a CSI volume (nfs): it cannot be snapshotted' };
const defaults: PreviewBackupRequest['persistentVolumes'] = {
  include: true,
  mode: 'BACKUP_TO_OBJECT_STORAGE',
  snapshotBeforeBackup: true,
  backupUnsnapshottedPvs: true,
  methodByStorageClass: {},
  excludeUnattachedPvcs: false,
};

describe('the method a run uses for a claim', () => {
  it('copies from a snapshot when it can, and reads the live claim otherwise (both defaults on)', () => {
    expect(volumeMethod(csi, defaults, true)).toEqual({ method: 'SNAPSHOT' });
    expect(volumeMethod(nfs, defaults, true)).toEqual({ method: 'PVC', reason: `read live: ${nfs.unsupportedReason}` });
  });

  it('skips what cannot be snapshotted when direct backups are off, saying why', () => {
    expect(volumeMethod(nfs, { ...defaults, backupUnsnapshottedPvs: false }, true)).toEqual({
      method: 'SKIP',
      reason: `${nfs.unsupportedReason}, and direct backups of PVs not snapshotted are off`,
    });
  });

  it('reads live claims when snapshots before backup are off', () => {
    expect(volumeMethod(csi, { ...defaults, snapshotBeforeBackup: false }, true).method).toBe('PVC');
  });

  it('follows the storage class method first, refusing SNAPSHOT where no snapshot can be cut', () => {
    expect(volumeMethod(csi, { ...defaults, methodByStorageClass: { fast: 'HOST' } }, true)).toEqual({ method: 'HOST', reason: 'set for storage class fast' });
    expect(volumeMethod(csi, { ...defaults, methodByStorageClass: { fast: 'SKIP' } }, true)).toEqual({ method: 'SKIP', reason: 'storage class fast is set to SKIP' });
    expect(volumeMethod(nfs, { ...defaults, methodByStorageClass: { nfs: 'SNAPSHOT' } }, true).method).toBe('SKIP');
  });

  it('snapshot-only takes snapshots or nothing; unattached claims go when excluded; PVs left out go', () => {
    expect(volumeMethod(csi, { ...defaults, mode: 'SNAPSHOT_ONLY' }, true)).toEqual({ method: 'SNAPSHOT' });
    expect(volumeMethod(nfs, { ...defaults, mode: 'SNAPSHOT_ONLY' }, true)).toEqual({ method: 'SKIP', reason: nfs.unsupportedReason });
    expect(volumeMethod(csi, { ...defaults, excludeUnattachedPvcs: true }, false).method).toBe('SKIP');
    expect(volumeMethod(csi, { ...defaults, excludeUnattachedPvcs: true }, true).method).toBe('SNAPSHOT');
    expect(volumeMethod(csi, { ...defaults, include: false }, true).method).toBe('SKIP');
  });

  it('skips an unbound claim: there is no data', () => {
    expect(volumeMethod({ ...csi, volumeName: '', unsupportedReason: 'the claim is not bound' }, defaults, true)).toEqual({ method: 'SKIP', reason: 'the claim is not bound' });
  });
});
