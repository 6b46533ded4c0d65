import { TemporalFailure } from '@temporalio/workflow';

/**
 * The message a person should read for a failed step: the innermost cause's (the activity's own
 * error), not Temporal's "Activity task failed" wrapper.
 */
export function rootCauseMessage(error: unknown): string {
  let current: unknown = error;
  let message = error instanceof Error ? error.message : String(error);
  while (current instanceof TemporalFailure) {
    if (current.message) message = current.message;
    current = current.cause;
  }
  if (current instanceof Error && current.message) message = current.message;
  return message;
}
