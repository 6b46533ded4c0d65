import type { CopyHeartbeat, VolumeDigestRequest, VolumeDigestResult } from '../../proto/mover/index.js';
import { compareVolumeWithSnapshot } from '../../lib/datamover/digest/volume-comparison.js';
import type { DigestFigures } from '../../lib/datamover/digest/volume-lines.js';
import { openRepository } from '../common/open-repository.js';
import { CopyProgressMeter } from './copy-progress.js';
import { heartbeatWhile } from './heartbeat-loop.js';
import type { MoverContext } from './mover-context.js';

/**
 * A drill's volume check: reads the restored volume the pod mounts back and the repository snapshot it
 * was restored from, digests both with the one line function (lib/datamover/digest) and compares them.
 * Nothing is written anywhere, so a retried attempt simply reads again. Heartbeats carry the copy
 * heartbeat's progress: bytes hashed on the slower side against the snapshot's bytes, entries likewise.
 */
export async function digestVolume(context: MoverContext, request: VolumeDigestRequest): Promise<VolumeDigestResult> {
  const repository = await openRepository(request.repository);
  let meter: CopyProgressMeter | undefined;
  const comparison = await heartbeatWhile(
    { version: 2, volume: request.volume } satisfies CopyHeartbeat,
    () =>
      compareVolumeWithSnapshot(repository, {
        snapshotId: request.snapshotId,
        dataPath: context.dataPath,
        maxDifferences: request.maxDifferences,
        observe: ({ volume, point, expectedBytes }) => {
          const slower = (pick: (side: DigestFigures) => number) => Math.min(pick(volume), pick(point));
          meter = new CopyProgressMeter(() => ({ bytesDone: slower((s) => s.bytes), filesDone: slower((s) => s.entries), bytesExpected: expectedBytes, filesExpected: null }));
        },
      }),
    (details) => (meter ? { ...details, progress: meter.sample() } : details),
  );
  const side = (digest: string, figures: DigestFigures) => ({ digest, entries: figures.entries, bytes: figures.bytes });
  return {
    version: 1,
    volume: side(comparison.volumeDigest, comparison.volume),
    point: side(comparison.pointDigest, comparison.point),
    matched: comparison.matched,
    differencesFound: comparison.differencesFound,
    differences: comparison.differences,
    xattrsCompared: comparison.xattrsCompared,
  };
}
