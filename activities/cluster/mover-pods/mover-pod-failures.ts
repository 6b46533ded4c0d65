import { ApplicationFailure } from '@temporalio/activity';
import { MoverMessageError } from '../../../proto/mover/index.js';

/** The agent has no mover settings (image, Temporal address): nothing a retry can fix. */
export const MOVER_NOT_CONFIGURED = 'DATA_MOVER_NOT_CONFIGURED';

export class MoverObjectTakenError extends Error {
  override readonly name = 'MoverObjectTakenError';
  readonly code = 'MOVER_OBJECT_NAME_TAKEN';
}

/** A host-volume read of a claim no running pod mounts: only its users' node has the volume. */
export class HostVolumeUnavailableError extends Error {
  override readonly name = 'HostVolumeUnavailableError';
  readonly code = 'HOST_VOLUME_UNAVAILABLE';
}

/** Final failures of the agent's data-mover activities; the rest (a flaky API server) stay retryable. */
export function toMoverActivityFailure(error: unknown): unknown {
  if (error instanceof MoverMessageError || error instanceof MoverObjectTakenError || error instanceof HostVolumeUnavailableError) return ApplicationFailure.nonRetryable(error.message, error.code);
  return error;
}
