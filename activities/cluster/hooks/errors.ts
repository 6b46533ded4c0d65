import { hookPodFailureMessage } from '../../../lib/domain/hook-output.js';
import type { HookPodOutcome, HookReport } from './outcomes.js';

/** Stable codes; they become the Temporal ApplicationFailure type when an activity fails with them. */
export const HOOK_ERROR_CODES = {
  /** A hook with onError FAIL did not succeed in some pod: the run stops. Retrying runs the hook again. */
  failed: 'HOOK_FAILED',
  /** The definition cannot run (e.g. its pod selector does not parse); retrying cannot help. */
  invalid: 'HOOK_INVALID',
} as const;

/**
 * A FAIL hook failed. The message names the first failing pod and how it ended, none of its output
 * (every role reads the job it becomes); `report` holds every pod's outcome, tails whole.
 */
export class HookFailedError extends Error {
  override readonly name = 'HookFailedError';
  readonly code = HOOK_ERROR_CODES.failed;

  constructor(
    readonly report: HookReport,
    readonly failure: HookPodOutcome,
  ) {
    super(hookPodFailureMessage(report, failure));
  }

  get pod(): string {
    return `${this.failure.namespace}/${this.failure.pod}`;
  }

  get container(): string {
    return this.failure.container;
  }

  get exitCode(): number | null {
    return this.failure.exitCode;
  }

  get stderrTail(): string {
    return this.failure.stderrTail;
  }
}

export class InvalidHookError extends Error {
  override readonly name = 'InvalidHookError';
  readonly code = HOOK_ERROR_CODES.invalid;
}
