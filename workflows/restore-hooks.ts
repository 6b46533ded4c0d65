import { proxyActivities } from '@temporalio/workflow';
import type { ClusterHookActivities } from '../activities/cluster/backup/run-backup-hook.js';
import type { ClusterRestoreVolumeActivities } from '../activities/cluster/restore/restore-volume-activities.js';
import type { NamespaceMapping } from '../lib/domain/namespace-mapping.js';
import type { HookDefinitionMessage, HookReportMessage } from '../proto/agent/index.js';
import { HOOK, snapshotWait } from './activity-profiles.js';
import { runHooks } from './backup-hooks.js';

/** How long post-restore hooks wait for the restored workloads they act on to be ready; then they run in what is. */
export const DEFAULT_HOOK_TARGETS_TIMEOUT_MINUTES = 10;

/**
 * Post-restore hooks act on the restored application: the namespaces they name, and the run's, are
 * renamed like the objects were. They wait for the workloads they select to be ready, then run in order
 * on the target's agent (the backup hooks' activity).
 */
export async function runPostRestoreHooks(
  run: { taskQueue: string; jobId: string; mapping: NamespaceMapping; sourceNamespaces: readonly string[] },
  postRestoreHooks: readonly HookDefinitionMessage[],
  onReport: (report: HookReportMessage) => void,
): Promise<void> {
  const { taskQueue, mapping } = run;
  const hooks = postRestoreHooks.map((hook) => ({ ...hook, namespaces: hook.namespaces.map((n) => mapping.target(n)) }));
  const runNamespaces = run.sourceNamespaces.map((n) => mapping.target(n)).sort();
  const timeoutMs = DEFAULT_HOOK_TARGETS_TIMEOUT_MINUTES * 60_000;
  await proxyActivities<ClusterRestoreVolumeActivities>({ ...snapshotWait(timeoutMs), taskQueue }).awaitHookTargets({ version: 1, hooks, runNamespaces, timeoutSeconds: timeoutMs / 1000 });
  const hooksAgent = proxyActivities<ClusterHookActivities>({ ...HOOK, taskQueue });
  await runHooks(hooksAgent.runBackupHook, { jobId: run.jobId, runNamespaces }, hooks, onReport);
}
