import { ApplicationFailure } from '@temporalio/activity';
import {
  backupVolumeRequestCodec,
  MoverMessageError,
  restoreVolumeRequestCodec,
  volumeDigestRequestCodec,
  type BackupVolumeResult,
  type RestoreVolumeResult,
  type VolumeDigestResult,
} from '../../proto/mover/index.js';
import { toActivityFailure } from '../common/failures.js';
import { backupVolume } from './backup-volume.js';
import { digestVolume } from './digest-volume.js';
import { HostVolumeNotFoundError } from './host-volume.js';
import type { MoverContext } from './mover-context.js';
import { RestoredSizeMismatchError, restoreVolume } from './restore-volume.js';

function moverFailure(error: unknown, location: string): unknown {
  if (error instanceof MoverMessageError || error instanceof RestoredSizeMismatchError || error instanceof HostVolumeNotFoundError) return ApplicationFailure.nonRetryable(error.message, error.code);
  return toActivityFailure(error, location);
}

/**
 * The activities a data-mover pod runs on its own task queue, over the volume it mounts. Messages are
 * `unknown` and decoded by version: the control plane may be newer than the agent's image.
 */
export function moverActivities(context: MoverContext) {
  return {
    async backupVolumeToRepository(message: unknown): Promise<BackupVolumeResult> {
      let location = '(unknown repository)';
      try {
        const request = backupVolumeRequestCodec.decode(message);
        location = request.repository.location;
        return await backupVolume(context, request);
      } catch (error) {
        throw moverFailure(error, location);
      }
    },

    async restoreVolumeFromRepository(message: unknown): Promise<RestoreVolumeResult> {
      let location = '(unknown repository)';
      try {
        const request = restoreVolumeRequestCodec.decode(message);
        location = request.repository.location;
        return await restoreVolume(context, request);
      } catch (error) {
        throw moverFailure(error, location);
      }
    },

    async digestRestoredVolume(message: unknown): Promise<VolumeDigestResult> {
      let location = '(unknown repository)';
      try {
        const request = volumeDigestRequestCodec.decode(message);
        location = request.repository.location;
        return await digestVolume(context, request);
      } catch (error) {
        throw moverFailure(error, location);
      }
    },
  };
}

export type MoverActivities = ReturnType<typeof moverActivities>;
