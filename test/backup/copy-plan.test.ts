import { describe, expect, it } from 'vitest';
import type { CopyPlan } from '../../lib/domain/runs/backup-plan.js';
import type { BackupVolume } from '../../proto/agent/index.js';
import { filesPerVolume, mountClassOf } from '../../workflows/backup-copy.js';
import { selectCopies } from '../../lib/domain/copy-selection.js';

const plan: CopyPlan = {
  snapshotBeforeBackup: true,
  preserveSnapshots: false,
  snapshotRetentionDays: null,
  backupUnsnapshottedPvs: true,
  methodByStorageClass: {},
  excludeUnattachedPvcs: false,
  snapshotMountStorageClasses: {},
  concurrentPvs: 2,
  totalConcurrentFiles: 24,
  maxSpeedPerStreamMBps: null,
  dataMoverPodTimeoutMinutes: 20,
  dataMoverMemoryLimitMiB: 1024,
};

function aVolume(claim: string, extra: Partial<BackupVolume> = {}): BackupVolume {
  return { namespace: 'shop', claim, storageClass: 'csi-hostpath', volumeName: `pv-${claim}`, volumeMode: 'Filesystem', sizeBytes: 1, driver: 'hostpath.csi', snapshotClass: 'csi-snap', attached: true, ...extra };
}
const csi = aVolume('db');
const nfs = aVolume('files', { storageClass: 'nfs-client', driver: undefined, snapshotClass: undefined, unsupportedReason: 'volume pv-files is not a CSI volume (nfs): it cannot be snapshotted' });
const unbound = aVolume('pending', { volumeName: '', unsupportedReason: 'the claim is not bound to a volume (phase Pending); there is no data to snapshot' });
const unattached = aVolume('orphan', { attached: false });
const names = (list: readonly { claim: string }[]) => list.map((v) => v.claim);

describe('choosing how each claim of a copy run is read', () => {
  it('snapshots what can be snapshotted, reads the rest live, reports unbound claims and keeps unattached ones by default', () => {
    const selection = selectCopies([csi, nfs, unbound, unattached], plan);
    expect(names(selection.fromSnapshot)).toEqual(['db', 'orphan']);
    expect(names(selection.live)).toEqual(['files']);
    expect(selection.notBackedUp).toEqual([{ volume: unbound, reason: unbound.unsupportedReason }]);
    expect(selection.skipped).toEqual([]);
  });

  it('skips unattached claims when excluded, and reports what cannot be snapshotted when live reads are off', () => {
    const selection = selectCopies([nfs, unattached], { ...plan, excludeUnattachedPvcs: true, backupUnsnapshottedPvs: false });
    expect(selection.skipped).toEqual([{ volume: unattached, reason: 'no pod mounts it and unattached PVCs are excluded' }]);
    expect(selection.notBackedUp).toEqual([{ volume: nfs, reason: `${nfs.unsupportedReason}, and backupUnsnapshottedPvs is off` }]);
  });

  it('follows the storage class\'s method over the automatic choice', () => {
    const selection = selectCopies([csi, nfs, aVolume('fast', { storageClass: 'fast' }), aVolume('host', { storageClass: 'local' }), aVolume('raw', { storageClass: 'local', volumeMode: 'Block' })], {
      ...plan,
      methodByStorageClass: { 'csi-hostpath': 'PVC', 'nfs-client': 'SNAPSHOT', fast: 'SKIP', local: 'HOST' },
    });
    expect(names(selection.live)).toEqual(['db']);
    expect(names(selection.host)).toEqual(['host']);
    expect(selection.notBackedUp.map(({ volume, reason }) => [volume.claim, reason])).toEqual([
      ['files', `its storage class is set to SNAPSHOT but ${nfs.unsupportedReason}`],
      ['raw', 'a Block volume cannot be read from the host volume directory; choose SNAPSHOT or PVC for its storage class'],
    ]);
    expect(selection.skipped.map(({ volume, reason }) => [volume.claim, reason])).toEqual([['fast', 'storage class fast is set to SKIP']]);
  });

  it('reads snapshot-capable claims live when snapshots before backup are off', () => {
    expect(names(selectCopies([csi], { ...plan, snapshotBeforeBackup: false }).live)).toEqual(['db']);
  });
});

describe('a copy\'s limits', () => {
  it('split the total files across the PVs copied at once, at least one each', () => {
    expect(filesPerVolume(plan)).toBe(12);
    expect(filesPerVolume({ ...plan, totalConcurrentFiles: 3, concurrentPvs: 4 })).toBe(1);
  });

  it('mount a snapshot with the mapped class, else the source\'s own', () => {
    expect(mountClassOf({ ...plan, snapshotMountStorageClasses: { 'csi-hostpath': 'one-replica' } }, csi)).toBe('one-replica');
    expect(mountClassOf(plan, csi)).toBe('csi-hostpath');
  });
});
