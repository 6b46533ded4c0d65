import { describe, expect, it } from 'vitest';
import { volumeMethods } from '../../activities/cluster/export/preview-volume-methods.js';
import type { BackupVolume, PreviewBackupRequest } from '../../proto/agent/index.js';

const csi: BackupVolume = { namespace: 'shop', claim: 'db', storageClass: 'fast', volumeName: 'pv-1', volumeMode: 'Filesystem', sizeBytes: 1, driver: 'd', snapshotClass: 'c', attached: true };
const nfs: BackupVolume = { ...csi, claim: 'files', storageClass: 'nfs', driver: undefined, snapshotClass: undefined, unsupportedReason: 'volume pv-2 is not a CSI volume (nfs): it cannot be snapshotted' };
const defaults: PreviewBackupRequest['persistentVolumes'] = {
  include: true,
  mode: 'BACKUP_TO_OBJECT_STORAGE',
  snapshotBeforeBackup: true,
  backupUnsnapshottedPvs: true,
  methodByStorageClass: {},
  excludeUnattachedPvcs: false,
};
const one = (volume: BackupVolume, options: Partial<PreviewBackupRequest['persistentVolumes']> = {}) => volumeMethods([volume], { ...defaults, ...options })[0];

describe('the method a preview shows for a claim (the backup workflow\'s own choice)', () => {
  it('copies from a snapshot when it can, and reads the live claim otherwise (both defaults on)', () => {
    expect(one(csi)).toEqual({ method: 'SNAPSHOT' });
    expect(one(nfs)).toEqual({ method: 'PVC', reason: `read live: ${nfs.unsupportedReason}` });
  });

  it('skips what cannot be snapshotted when direct backups are off, saying why', () => {
    expect(one(nfs, { backupUnsnapshottedPvs: false })).toEqual({ method: 'SKIP', reason: `${nfs.unsupportedReason}, and backupUnsnapshottedPvs is off` });
  });

  it('reads live claims when snapshots before backup are off', () => {
    expect(one(csi, { snapshotBeforeBackup: false })).toEqual({ method: 'PVC', reason: 'snapshots before backup are off: the live claim is read' });
  });

  it('follows the storage class method first, and says when the run cannot honour it', () => {
    expect(one(csi, { methodByStorageClass: { fast: 'PVC' } })).toEqual({ method: 'PVC', reason: 'set for storage class fast' });
    expect(one(csi, { methodByStorageClass: { fast: 'SKIP' } })).toEqual({ method: 'SKIP', reason: 'storage class fast is set to SKIP' });
    expect(one(nfs, { methodByStorageClass: { nfs: 'SNAPSHOT' } })?.method).toBe('SKIP');
    expect(one(csi, { methodByStorageClass: { fast: 'HOST' } })).toEqual({ method: 'HOST', reason: 'set for storage class fast' });
    expect(one({ ...csi, volumeMode: 'Block' }, { methodByStorageClass: { fast: 'HOST' } })).toEqual({ method: 'SKIP', reason: expect.stringContaining('a Block volume cannot be read from the host') });
  });

  it('snapshot-only takes snapshots or nothing; unattached claims go when excluded; PVs left out go', () => {
    expect(one(csi, { mode: 'SNAPSHOT_ONLY' })).toEqual({ method: 'SNAPSHOT' });
    expect(one(nfs, { mode: 'SNAPSHOT_ONLY' })).toEqual({ method: 'SKIP', reason: nfs.unsupportedReason });
    expect(one({ ...csi, attached: false }, { excludeUnattachedPvcs: true })?.method).toBe('SKIP');
    expect(one(csi, { excludeUnattachedPvcs: true })).toEqual({ method: 'SNAPSHOT' });
    expect(one(csi, { include: false })?.method).toBe('SKIP');
  });

  it('skips an unbound claim: there is no data', () => {
    expect(one({ ...csi, volumeName: '', unsupportedReason: 'the claim is not bound' })).toEqual({ method: 'SKIP', reason: 'the claim is not bound' });
  });

  it('keeps the order of the claims it is given', () => {
    expect(volumeMethods([nfs, csi], defaults).map((m) => m.method)).toEqual(['PVC', 'SNAPSHOT']);
  });
});
