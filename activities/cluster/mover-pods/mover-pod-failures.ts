import { ApiException } from '@kubernetes/client-node';
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

/**
 * The namespace's Pod Security admission refuses the mover pod: only its owner can fix that, by letting
 * the namespace admit the level the mover needs (or running the agent's movers elsewhere). Retrying
 * would be refused the same way.
 */
export class PodSecurityForbiddenError extends Error {
  override readonly name = 'PodSecurityForbiddenError';
  readonly code = 'MOVER_POD_FORBIDDEN_BY_POD_SECURITY';
}

/** The API server's 403 on pod create from Pod Security admission, e.g. `violates PodSecurity "baseline:latest": …`. */
export function podSecurityViolation(error: unknown): string | undefined {
  if (!(error instanceof ApiException) || error.code !== 403) return undefined;
  const body: unknown = error.body;
  const text = typeof body === 'string' ? body : JSON.stringify(body ?? '');
  let message = text;
  try {
    message = (JSON.parse(text) as { message?: string }).message ?? text;
  } catch {
    // Not JSON: the body as it came.
  }
  return /violates PodSecurity/.test(message) ? message : undefined;
}

export function podSecurityForbidden(namespace: string, level: string, violation: string): PodSecurityForbiddenError {
  return new PodSecurityForbiddenError(
    `namespace ${namespace} does not admit the data mover pod under its Pod Security level (${violation}); the mover needs level "${level}": ` +
      `label the namespace pod-security.kubernetes.io/enforce=${level} (kubectl label --overwrite namespace ${namespace} pod-security.kubernetes.io/enforce=${level}), see docs/backup.md#data-mover-privileges`,
  );
}

/** Final failures of the agent's data-mover activities; the rest (a flaky API server) stay retryable. */
export function toMoverActivityFailure(error: unknown): unknown {
  if (error instanceof MoverMessageError || error instanceof MoverObjectTakenError || error instanceof HostVolumeUnavailableError || error instanceof PodSecurityForbiddenError) return ApplicationFailure.nonRetryable(error.message, error.code);
  return error;
}
