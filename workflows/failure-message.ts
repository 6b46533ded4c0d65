import { ApplicationFailure, TemporalFailure } from '@temporalio/workflow';

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

/**
 * The redacted hook output a failure carries for the job error's operator-only `output` (set by
 * backup-hooks.ts, passed on by a failed child run), or nothing: the nearest one along the cause chain.
 */
export function failureOutput(error: unknown): { output: string } | Record<string, never> {
  for (let current: unknown = error; current instanceof TemporalFailure; current = current.cause) {
    const details: unknown = current instanceof ApplicationFailure ? current.details?.[0] : undefined;
    const output = typeof details === 'object' && details !== null ? (details as { output?: unknown }).output : undefined;
    if (typeof output === 'string' && output) return { output };
  }
  return {};
}

/** The type of the innermost ApplicationFailure along the cause chain (an activity's stable error code), if any. */
export function failureType(error: unknown): string | undefined {
  let type: string | undefined;
  for (let current: unknown = error; current instanceof TemporalFailure; current = current.cause) {
    if (current instanceof ApplicationFailure && current.type) type = current.type;
  }
  return type;
}
