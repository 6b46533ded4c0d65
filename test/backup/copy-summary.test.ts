import { describe, expect, it } from 'vitest';
import type { BackupVolume } from '../../proto/agent/index.js';
import type { VolumeCopy } from '../../workflows/backup-copy.js';
import { copiedVolumes, summarizeCopy } from '../../workflows/backup-copy-summary.js';
import { summarize } from '../../workflows/backup-summary.js';

const volume = (claim: string): BackupVolume => ({
  namespace: 'shop',
  claim,
  storageClass: 'csi-hostpath',
  volumeName: `pv-${claim}`,
  volumeMode: 'Filesystem',
  sizeBytes: 1024,
  snapshotClass: 'csi-snap',
  accessModes: ['ReadWriteOnce'],
});
const result = { version: 1 as const, snapshotId: 'snap-1', files: 3, bytes: 300, newBytesStored: 100, resumed: false };
const snapshotted: VolumeCopy = {
  volume: volume('db'),
  source: 'SNAPSHOT',
  moverIndex: 1,
  state: 'COPIED',
  result,
  snapshot: { volume: volume('db'), snapshotName: 'haven-j-db', state: { version: 1, outcome: 'READY', contentName: 'snapcontent-1', snapshotHandle: 'h-1' } },
};
const failed: VolumeCopy = { volume: volume('cache'), source: 'LIVE_CLAIM', moverIndex: 0, state: 'FAILED', failure: 'the data mover pod … did not start' };
const exported = { resourceCount: 10, namespaces: ['shop'] };

describe('a copy run\'s recovery point and job', () => {
  it('record each copied PV with its repository snapshot, and the CSI snapshot only when preserved', () => {
    expect(copiedVolumes([failed, snapshotted], false)).toEqual([
      { namespace: 'shop', claim: 'db', storageClass: 'csi-hostpath', sizeBytes: 1024, method: 'COPY_FROM_SNAPSHOT', volumeName: 'pv-db', volumeMode: 'Filesystem', accessModes: ['ReadWriteOnce'], copySnapshotId: 'snap-1', copyBytes: 300, copyFiles: 3 },
    ]);
    expect(copiedVolumes([snapshotted], true)[0]).toMatchObject({ snapshotClass: 'csi-snap', snapshotName: 'haven-j-db', snapshotContentName: 'snapcontent-1', snapshotHandle: 'h-1' });
  });

  it('end PARTIAL with the failed PV\'s reason, and COMPLETED when every PV is copied', () => {
    const selection = { fromSnapshot: [], live: [], host: [], notBackedUp: [], skipped: [] };
    const partial = summarizeCopy(exported, selection, [failed, snapshotted], []);
    expect(partial.status).toBe('PARTIAL');
    expect(partial.errors).toEqual([{ message: 'PV of claim shop/cache not backed up: the data mover pod … did not start', resource: 'persistentvolumeclaims/shop/cache' }]);
    expect(partial.message).toBe('Backed up 10 resources from 1 namespaces; 1 of 2 PVs copied (3 files, 300 bytes, 100 bytes new)');
    const skipped = { ...selection, skipped: [{ volume: volume('tmp'), reason: 'storage class csi-hostpath is set to SKIP' }] };
    expect(summarizeCopy(exported, skipped, [snapshotted], [])).toEqual({
      status: 'COMPLETED',
      message: 'Backed up 10 resources from 1 namespaces; 1 of 1 PVs copied (3 files, 300 bytes, 100 bytes new); 1 PVs skipped (shop/tmp: storage class csi-hostpath is set to SKIP)',
      errors: [],
    });
  });

  it('name hostPath and emptyDir pod volumes as not backed up in either mode, without making the run PARTIAL', () => {
    const podVolumes = [
      { namespace: 'shop', pod: 'web-1', volume: 'cache', type: 'emptyDir' as const },
      { namespace: 'shop', pod: 'agent', volume: 'logs', type: 'hostPath' as const },
    ];
    const expected = [
      { message: 'emptyDir volume "cache" of pod shop/web-1 not backed up: emptyDir volumes are never copied', resource: 'pods/shop/web-1' },
      { message: 'hostPath volume "logs" of pod shop/agent not backed up: hostPath volumes are never copied', resource: 'pods/shop/agent' },
    ];
    const selection = { fromSnapshot: [], live: [], host: [], notBackedUp: [], skipped: [] };
    const copy = summarizeCopy(exported, selection, [snapshotted], [], podVolumes);
    const snapshotOnly = summarize(exported, { outcomes: [snapshotted.snapshot!], unsupported: [] }, [], podVolumes);
    for (const summary of [copy, snapshotOnly]) {
      expect(summary.status).toBe('COMPLETED');
      expect(summary.errors).toEqual(expected);
      expect(summary.message).toContain('2 hostPath/emptyDir pod volumes not backed up');
    }
  });
});
