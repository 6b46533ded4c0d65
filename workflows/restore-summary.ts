import type { RestoreResourcesResult, RestoredObject } from '../proto/agent/index.js';
import type { JobError } from './backup-summary.js';

export interface RestoreSummary {
  status: 'COMPLETED' | 'PARTIAL';
  message: string;
  errors: JobError[];
}

const resourceRef = (o: RestoredObject) => [o.typeId, o.targetNamespace ?? o.namespace, o.name].filter(Boolean).join('/');

/** How a restore that got to the end reads on its job: the counts, and every failed object as an error. */
export function summarizeRestore(result: RestoreResourcesResult): RestoreSummary {
  const { CREATED, UPDATED, SKIPPED, FAILED } = result.counts;
  const errors: JobError[] = result.outcomes
    .filter((o) => o.outcome === 'FAILED')
    .map((o) => ({ message: `${o.kind} ${resourceRef(o)} not restored: ${o.reason ?? 'no reason given'}`, resource: resourceRef(o) }));
  // The agent sends failures first, so only a run with more failures than it reports loses some here.
  const unreported = FAILED - errors.length;
  if (unreported > 0) errors.push({ message: `${unreported} more objects failed; the agent reported only the first ${errors.length}` });
  return {
    status: result.status,
    message: `Restored resources: ${CREATED} created, ${UPDATED} updated, ${SKIPPED} skipped, ${FAILED} failed`,
    errors,
  };
}
