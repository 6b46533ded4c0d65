import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import { hookPodFailureMessage, hookPodOutput, outputExcerpt } from '../lib/domain/hook-output.js';
import type { JobError } from './backup-summary.js';
import { AGENT_FAILURE_TYPES, type HookDefinitionMessage, type HookReportMessage, type RunHookResult } from '../proto/agent/index.js';

type RunBackupHook = (message: unknown) => Promise<RunHookResult>;

/**
 * Runs a slot's hooks one after another, in the definition's order: a later hook may rely on an earlier
 * one (flush, then freeze). A FAIL hook that fails throws (HOOK_FAILED) and the run stops there;
 * `onReport` sees every report as it arrives, so the job and the progress query show it at once.
 */
export async function runHooks(
  runBackupHook: RunBackupHook,
  run: { jobId: string; runNamespaces: string[] },
  hooks: readonly HookDefinitionMessage[],
  onReport: (report: HookReportMessage) => void,
): Promise<HookReportMessage[]> {
  const reports: HookReportMessage[] = [];
  for (const hook of hooks) {
    const { report } = await runBackupHook({ version: 1, jobId: run.jobId, hook, runNamespaces: run.runNamespaces }).catch((error: unknown) => {
      throw asJobReadsIt(error);
    });
    reports.push(report);
    onReport(report);
  }
  return reports;
}

/**
 * A FAIL hook's failure worded again from its report, as the job will carry it: no agent (an older one
 * wrote whole stderr tails into its message) puts a pod's output in the message every role reads. The
 * failing pod's redacted excerpt rides in the failure's details, for the job error's operator-only
 * `output` (failureOutput). The activity's own failure, report and all, stays in the sealed history.
 */
function asJobReadsIt(error: unknown): unknown {
  const cause = error instanceof ActivityFailure ? error.cause : undefined;
  if (!(cause instanceof ApplicationFailure) || cause.type !== AGENT_FAILURE_TYPES.hookFailed) return error;
  const report = cause.details?.[0] as Partial<HookReportMessage> | undefined;
  const failure = Array.isArray(report?.outcomes) ? report.outcomes.find((o) => o.status === 'FAILED') : undefined;
  if (report?.type && report.hook && failure) {
    return ApplicationFailure.nonRetryable(hookPodFailureMessage({ type: report.type, hook: report.hook }, failure), AGENT_FAILURE_TYPES.hookFailed, hookPodOutput(failure));
  }
  // No report to word it from: the agent's message may hold output, so it is only ever an operator's to read.
  return ApplicationFailure.nonRetryable('a hook failed; the agent sent no report to word it from', AGENT_FAILURE_TYPES.hookFailed, { output: outputExcerpt(cause.message, 400) });
}

/**
 * One line per hook for the job's message: what ran, and how it ended. Namespaces a hook names outside
 * the run are said, so a hook that did nothing because of them is not a mystery.
 */
export function hookSummary(reports: readonly HookReportMessage[]): string {
  return reports
    .map((r) => {
      const pods = r.outcomes.filter((o) => o.status !== 'SKIPPED').length;
      const where = r.verdict === 'NO_MATCHING_PODS' ? ` in ${r.namespaces.join(', ') || 'no namespace'}` : ` (${pods} pod${pods === 1 ? '' : 's'})`;
      const outside = r.notSelected?.length ? `, not run in ${r.notSelected.join(', ')}: not selected by the run` : '';
      return `${r.type} "${r.hook}" ${r.verdict}${where}${outside}`;
    })
    .join('; ');
}

/** Hooks that failed with onError CONTINUE: errors on the job (output apart, operator-only), which then ends PARTIAL. */
export function hookErrors(reports: readonly HookReportMessage[]): JobError[] {
  return reports
    .filter((r) => r.verdict === 'FAILED_CONTINUED')
    .flatMap((r) =>
      r.outcomes
        .filter((o) => o.status === 'FAILED')
        .map((o) => ({ message: `${hookPodFailureMessage(r, o)}; the run went on (onError CONTINUE)`, resource: `hook/${r.hook}`, ...hookPodOutput(o) })),
    );
}
