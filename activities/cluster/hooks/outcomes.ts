import type { PodExecErrorCode } from '../exec/pod-executor.js';
import type { HookDefinition } from './hook-definition.js';

/** What happened in one pod. */
export const HOOK_POD_STATUSES = [
  /** The command ran to completion with exit code 0. */
  'SUCCEEDED',
  /** The command exited non-zero, timed out, or could not be run. */
  'FAILED',
  /** Not run: an earlier pod failed a FAIL hook, so the run stopped there. */
  'SKIPPED',
] as const;
export type HookPodStatus = (typeof HOOK_POD_STATUSES)[number];

/** Why a command did not run to completion: the exec seam's codes, plus Haven's own. */
export type HookPodErrorCode =
  | PodExecErrorCode
  /** The hook's timeoutSeconds elapsed; the command was aborted. */
  | 'TIMED_OUT'
  /** The hook names a container the pod's spec does not have. */
  | 'CONTAINER_NOT_IN_POD';

export interface HookPodOutcome {
  namespace: string;
  pod: string;
  container: string;
  status: HookPodStatus;
  /** null when the command did not run to completion (see `error`) or was skipped. */
  exitCode: number | null;
  /** The last DEFAULT_OUTPUT_TAIL_CHARS characters of each stream: enough to diagnose, bounded for history. */
  stdoutTail: string;
  stderrTail: string;
  durationMs: number;
  error?: { code: HookPodErrorCode; message: string };
}

/** The hook as a whole. */
export const HOOK_VERDICTS = [
  /** Every matching pod ran the command successfully. */
  'SUCCEEDED',
  /**
   * No Running pod matched. Reported, not failed: a selector that matches nothing (an app scaled to zero,
   * a namespace without that app) must not fail every backup; the report makes the mismatch visible.
   */
  'NO_MATCHING_PODS',
  /** Some pod failed and onError is CONTINUE: the run goes on and ends PARTIAL. */
  'FAILED_CONTINUED',
  /** Some pod failed and onError is FAIL: carried by HookFailedError, the run stops. */
  'FAILED',
] as const;
export type HookVerdict = (typeof HOOK_VERDICTS)[number];

export interface HookReport {
  hook: string;
  type: HookDefinition['type'];
  onError: HookDefinition['onError'];
  /** Where pods were looked for: the hook's namespaces that the run selected. */
  namespaces: string[];
  /** The hook's namespaces the run did not select (or protected ones): not looked in. Absent when none. */
  notSelected?: string[];
  verdict: HookVerdict;
  /** One per matching pod, ordered by namespace then name (the order the command ran in). */
  outcomes: HookPodOutcome[];
}

/** How much of each output stream an outcome keeps. */
export const DEFAULT_OUTPUT_TAIL_CHARS = 4096;

export function tail(text: string, chars = DEFAULT_OUTPUT_TAIL_CHARS): string {
  return text.length <= chars ? text : text.slice(text.length - chars);
}
