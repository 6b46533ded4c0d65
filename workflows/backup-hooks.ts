import type { HookDefinitionMessage, HookReportMessage, RunHookResult } from '../proto/agent/index.js';

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
    const { report } = await runBackupHook({ version: 1, jobId: run.jobId, hook, runNamespaces: run.runNamespaces });
    reports.push(report);
    onReport(report);
  }
  return reports;
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

/** Hooks that failed with onError CONTINUE: errors on the job, which then ends PARTIAL. */
export function hookErrors(reports: readonly HookReportMessage[]): { message: string; resource: string }[] {
  return reports
    .filter((r) => r.verdict === 'FAILED_CONTINUED')
    .flatMap((r) =>
      r.outcomes
        .filter((o) => o.status === 'FAILED')
        .map((o) => ({
          message: `${r.type} hook "${r.hook}" in pod ${o.namespace}/${o.pod} container ${o.container} ${o.exitCode !== null ? `exited with code ${o.exitCode}` : `failed: ${o.error?.message ?? 'unknown error'}`}; the run went on (onError CONTINUE)`,
          resource: `hook/${r.hook}`,
        })),
    );
}
