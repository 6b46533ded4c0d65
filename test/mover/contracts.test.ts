import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  backupVolumeRequestCodec,
  backupVolumeResultCodec,
  cleanUpMoverJobRequestCodec,
  cleanUpMoverJobResultCodec,
  copyHeartbeatCodec,
  createSnapshotClaimRequestCodec,
  describeMoverPodResultCodec,
  MoverMessageError,
  restoreVolumeRequestCodec,
  restoreVolumeResultCodec,
  startMoverPodRequestCodec,
  startMoverPodResultCodec,
  volumeDigestRequestCodec,
  volumeDigestResultCodec,
} from '../../proto/mover/index.js';

/** Messages as released agents, mover pods and control planes sent them; never edit these, add new ones. */
function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;
}

describe('data-mover contracts', () => {
  it('decode every v1 message as released', () => {
    for (const [codec, name] of [
      [startMoverPodResultCodec, 'start-mover-pod-result.v1.json'],
      [describeMoverPodResultCodec, 'describe-mover-pod-result.v1.json'],
      [createSnapshotClaimRequestCodec, 'create-snapshot-claim-request.v1.json'],
      [cleanUpMoverJobRequestCodec, 'clean-up-mover-job-request.v1.json'],
      [cleanUpMoverJobResultCodec, 'clean-up-mover-job-result.v1.json'],
      [backupVolumeRequestCodec, 'backup-volume-request.v1.json'],
      [backupVolumeResultCodec, 'backup-volume-result.v1.json'],
      [copyHeartbeatCodec, 'copy-heartbeat.v2.json'],
      [restoreVolumeRequestCodec, 'restore-volume-request.v2.json'],
      [restoreVolumeResultCodec, 'restore-volume-result.v1.json'],
      [volumeDigestRequestCodec, 'volume-digest-request.v1.json'],
      [volumeDigestResultCodec, 'volume-digest-result.v1.json'],
    ] as const) {
      expect((codec as { decode(v: unknown): unknown }).decode(fixture(name)), name).toEqual(fixture(name));
    }
  });

  it('upgrade a v1 copy heartbeat to v2: its checkpoint keeps the inline manifest chunk list to resume from', () => {
    const v1 = fixture('copy-heartbeat.v1.json') as { checkpoint: { manifestChunks: string[] } };
    expect(copyHeartbeatCodec.decode(v1)).toEqual({
      ...v1,
      version: 2,
      checkpoint: { ...v1.checkpoint, version: 2, manifestList: null, manifestChunkCount: v1.checkpoint.manifestChunks.length },
    });
  });

  it('upgrade a v1 restore-volume request to v2: the whole copy, no paths', () => {
    expect(restoreVolumeRequestCodec.decode(fixture('restore-volume-request.v1.json'))).toEqual({ ...fixture('restore-volume-request.v1.json'), version: 2, paths: [] });
  });

  it('decode a v2 start request, and refuse a v1 one (it carries no mover token) saying to run it again', () => {
    expect(startMoverPodRequestCodec.decode(fixture('start-mover-pod-request.v2.json'))).toEqual(fixture('start-mover-pod-request.v2.json'));
    expect(() => startMoverPodRequestCodec.decode(fixture('start-mover-pod-request.v1.json'))).toThrow(MoverMessageError);
    expect(() => startMoverPodRequestCodec.decode(fixture('start-mover-pod-request.v1.json'))).toThrow(/version 1 carries no mover token.*run it again/);
    expect(() => startMoverPodRequestCodec.decode({ ...fixture('start-mover-pod-request.v2.json'), token: '' })).toThrow(/\/token/);
  });

  it('accept a newer sender\'s optional additions and name the field that breaks the schema', () => {
    const newer = { ...fixture('start-mover-pod-request.v2.json'), nodeSelector: { zone: 'a' } };
    expect(startMoverPodRequestCodec.decode(newer).claim).toMatch(/^haven-copy-/);
    expect(() => startMoverPodRequestCodec.decode({ ...newer, volumeMode: 'Tape' })).toThrow(/^start-mover-pod request: \/volumeMode /);
    expect(() => backupVolumeRequestCodec.decode({ ...fixture('backup-volume-request.v1.json'), version: 2 })).toThrow(MoverMessageError);
    expect(() => backupVolumeRequestCodec.decode({ ...fixture('backup-volume-request.v1.json'), version: 2 })).toThrow(/version 2 is not supported by this build/);
  });
});
