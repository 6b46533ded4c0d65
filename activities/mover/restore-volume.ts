import type { CopyHeartbeat, RestoreVolumeRequest, RestoreVolumeResult } from '../../proto/mover/index.js';
import { openRepository } from '../common/open-repository.js';
import { runRestore } from '../../lib/datamover/restore/restore.js';
import { CopyProgressMeter } from './copy-progress.js';
import { heartbeatWhile } from './heartbeat-loop.js';
import type { MoverContext } from './mover-context.js';

const MiB = 1024 * 1024;

export class RestoredSizeMismatchError extends Error {
  override readonly name = 'RestoredSizeMismatchError';
  readonly code = 'RESTORE_INCOMPLETE';
}

/**
 * Restores a repository snapshot into the mounted volume. Every chunk is verified as it is read (keyed
 * hash and AEAD tag); the restored file count is then checked against the snapshot's own. A restore has
 * no checkpoint to resume from: a retried attempt writes the same files again, which is idempotent. A
 * granular restore (`paths`) writes only those paths and the directories above them.
 */
export async function restoreVolume(context: MoverContext, request: RestoreVolumeRequest): Promise<RestoreVolumeResult> {
  // Open, never init: a restore from a repository that is not there must fail, not create an empty one.
  const repository = await openRepository(request.repository);
  const snapshot = await repository.readSnapshot(request.snapshotId);
  // The copy heartbeat without a checkpoint (a restore has none): its figures are the restore's progress.
  const initial: CopyHeartbeat = { version: 2, ...(request.volume ? { volume: request.volume } : {}) };
  let meter: CopyProgressMeter | undefined;
  const result = await heartbeatWhile(
    initial,
    () =>
      runRestore(repository, {
        snapshotId: request.snapshotId,
        target: context.dataPath,
        ...(request.paths.length > 0 ? { paths: request.paths } : {}),
        concurrentFiles: request.limits.concurrentFiles,
        memoryLimitBytes: Math.min(request.limits.memoryLimitMiB, context.memoryLimitMiB) * MiB,
        observe: (figures) => {
          meter = new CopyProgressMeter(figures);
        },
      }),
    (details) => (meter ? { ...details, progress: meter.sample() } : details),
  );
  // Only a whole copy can be counted against the snapshot's figures; selected paths are a part of it.
  if (snapshot.volumeMode === 'filesystem' && request.paths.length === 0 && result.files !== snapshot.stats.files) {
    throw new RestoredSizeMismatchError(`restored ${result.files} files of snapshot ${request.snapshotId}, which holds ${snapshot.stats.files}`);
  }
  return { version: 1, entries: result.entries, files: result.files, bytes: result.bytes, skipped: result.skipped };
}
