import { MAX_REPORTED_OUTCOMES, type RestoreResourcesResult } from '../../../proto/agent/index.js';
import type { ResourceRestoreReport } from './outcomes.js';

/**
 * The report as it crosses to the control plane. Outcomes are capped: a workflow's history holds the
 * result, and a cluster of many thousand objects must not blow its size limit. FAILED ones go first,
 * since those are the ones a person has to act on; the counts always cover every object.
 */
export function toRestoreResult(report: ResourceRestoreReport, limit = MAX_REPORTED_OUTCOMES): RestoreResourcesResult {
  const failedFirst = [...report.outcomes.filter((o) => o.outcome === 'FAILED'), ...report.outcomes.filter((o) => o.outcome !== 'FAILED')];
  const kept = failedFirst.slice(0, limit);
  return {
    version: 1,
    status: report.status,
    counts: { ...report.counts },
    outcomes: kept.map((o) => ({ ...o })),
    outcomesOmitted: failedFirst.length - kept.length,
  };
}
