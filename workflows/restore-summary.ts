import type { HookReportMessage, RestoreResourcesResult, RestoredObject } from '../proto/agent/index.js';
import { hookErrors, hookSummary } from './backup-hooks.js';
import type { JobError } from './backup-summary.js';
import type { RestoreVolumeProgress } from './restore-progress.js';
import { volumeErrors, volumeSummary } from './restore-volumes.js';

export interface RestoreSummary {
  status: 'COMPLETED' | 'PARTIAL';
  message: string;
  errors: JobError[];
}

const resourceRef = (o: RestoredObject) => [o.typeId, o.targetNamespace ?? o.namespace, o.name].filter(Boolean).join('/');

/**
 * How a restore that got to the end reads on its job: the counts, the PVs and the hooks, and every failed
 * object, PV and CONTINUE hook as an error. Any of those makes it PARTIAL.
 */
export function summarizeRestore(result: RestoreResourcesResult, volumes: readonly RestoreVolumeProgress[] = [], hooks: readonly HookReportMessage[] = []): RestoreSummary {
  const { CREATED, UPDATED, SKIPPED, FAILED } = result.counts;
  const errors: JobError[] = result.outcomes
    .filter((o) => o.outcome === 'FAILED')
    .map((o) => ({ message: `${o.kind} ${resourceRef(o)} not restored: ${o.reason ?? 'no reason given'}`, resource: resourceRef(o) }));
  // The agent sends failures first, so only a run with more failures than it reports loses some here.
  const unreported = FAILED - errors.length;
  if (unreported > 0) errors.push({ message: `${unreported} more objects failed; the agent reported only the first ${errors.length}` });
  errors.push(...volumeErrors(volumes), ...hookErrors(hooks));
  const parts = [`Restored resources: ${CREATED} created, ${UPDATED} updated, ${SKIPPED} skipped, ${FAILED} failed`];
  if (volumes.length > 0) parts.push(volumeSummary(volumes));
  if (hooks.length > 0) parts.push(`hooks: ${hookSummary(hooks)}`);
  return { status: errors.length > 0 || result.status === 'PARTIAL' ? 'PARTIAL' : 'COMPLETED', message: parts.join('; '), errors };
}
