import { availableParallelism } from 'node:os';
import { Context, log } from '@temporalio/activity';
import { copyHeartbeatCodec, type BackupVolumeRequest, type BackupVolumeResult, type CopyHeartbeat } from '../../proto/mover/index.js';
import type { BackupCheckpoint } from '../../proto/repository/index.js';
import { openOrInitRepository } from '../common/open-repository.js';
import { runBackup } from '../../lib/datamover/backup/backup.js';
import { planResources } from '../../lib/datamover/controls/resource-plan.js';
import { CopyProgressMeter } from './copy-progress.js';
import { heartbeatWhile } from './heartbeat-loop.js';
import { hostVolumePath } from './host-volume.js';
import type { MoverContext } from './mover-context.js';

const MiB = 1024 * 1024;

/** A checkpoint every this often: what a killed mover loses at most, and how fresh the progress figures are. */
export const COPY_CHECKPOINT_EVERY_MS = 10_000;

/** The last checkpoint a previous attempt heartbeated; a detail this build cannot read means starting over. */
function resumePoint(): BackupCheckpoint | undefined {
  const details: unknown = Context.current().info.heartbeatDetails;
  if (details === undefined || details === null) return undefined;
  try {
    return copyHeartbeatCodec.decode(details).checkpoint;
  } catch (error) {
    log.warn('ignoring unreadable heartbeat details; copying from the start', { error: (error as Error).message });
    return undefined;
  }
}

/**
 * Backs up the volume mounted at the mover's data path into the repository. The parent is the latest
 * snapshot of the same repository volume, so unchanged files are not read again. Every checkpoint is
 * heartbeated; a retried attempt (the mover was killed, its pod restarted) resumes from the last one.
 */
export async function backupVolume(context: MoverContext, request: BackupVolumeRequest): Promise<BackupVolumeResult> {
  const resumeFrom = resumePoint();
  const source = context.hostVolume ? await hostVolumePath(context.dataPath, context.hostVolume) : context.dataPath;
  const repository = await openOrInitRepository(request.repository);
  const where = { namespace: request.namespace, claim: request.claim };
  const initial: CopyHeartbeat = { version: 2, volume: where, ...(resumeFrom ? { checkpoint: resumeFrom } : {}) };
  const memoryLimitBytes = Math.min(request.limits.memoryLimitMiB, context.memoryLimitMiB) * MiB;
  // The product's cap is per PV stream; the library's bucket is per file in flight, so each gets its share
  // of the files the memory limit really lets the backup read at once (often fewer than asked for): split
  // by the number asked for, a stream capped at 1 MB/s moved a quarter of that.
  const filesAtOnce = planResources(memoryLimitBytes, request.limits.concurrentFiles).concurrentFiles;
  let meter: CopyProgressMeter | undefined;
  const withProgress = (details: CopyHeartbeat): CopyHeartbeat => (meter ? { ...details, progress: meter.sample() } : details);
  const { snapshot, alreadyComplete } = await heartbeatWhile(initial, (update) =>
    runBackup(repository, {
      source,
      volume: request.repositoryVolume,
      volumeMode: request.volumeMode === 'Block' ? 'block' : 'filesystem',
      parent: 'auto',
      tags: { cluster: request.clusterId, definition: request.definitionId, job: request.jobId, namespace: request.namespace, claim: request.claim },
      concurrentFiles: request.limits.concurrentFiles,
      ...(request.limits.maxBytesPerSecond ? { maxBytesPerSecondPerStream: Math.max(1, Math.floor(request.limits.maxBytesPerSecond / filesAtOnce)) } : {}),
      memoryLimitBytes,
      checkpointEveryMs: COPY_CHECKPOINT_EVERY_MS,
      sealWorkers: Math.max(1, availableParallelism() - 1),
      walkThread: true,
      ...(resumeFrom ? { resumeFrom } : {}),
      // Each checkpoint is also the copy's progress: whoever shows the run reads it from the pending activity.
      onCheckpoint: (checkpoint) => update({ version: 2, volume: where, checkpoint }),
      observe: (figures) => {
        meter = new CopyProgressMeter(figures);
      },
    }),
    withProgress,
  );
  return {
    version: 1,
    snapshotId: snapshot.id,
    ...(snapshot.parentId ? { parentId: snapshot.parentId } : {}),
    files: snapshot.stats.files,
    bytes: snapshot.stats.bytes,
    newBytesStored: snapshot.stats.newBytesStored,
    resumed: alreadyComplete || resumeFrom !== undefined,
  };
}

