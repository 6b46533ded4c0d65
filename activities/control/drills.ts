import { and, eq } from 'drizzle-orm';
import { jobs, recoveryPoints } from '../../lib/db/schema/index.js';
import { MAX_DRILL_DIFFERENCES, type StoredDrillOutcome } from '../../lib/domain/drill-result.js';
import type { ControlDeps } from './deps.js';
import { jobNotVisible } from './job-failures.js';

/** The drill's end: its job and, as the point's latest drill, its recovery point. */
export interface DrillRecord {
  orgId: string;
  jobId: string;
  outcome: StoredDrillOutcome;
  message: string;
}

/** The records a restore drill writes beyond its restore's own. */
export function drillActivities(deps: ControlDeps) {
  return {
    /**
     * Ends the drill's job (COMPLETED when PASSED, FAILED otherwise) with the verdict and its differences,
     * and sets it as the recovery point's latest drill. Idempotent.
     */
    async recordDrillOutcome(record: DrillRecord): Promise<void> {
      const outcome = { ...record.outcome, differences: record.outcome.differences.slice(0, MAX_DRILL_DIFFERENCES) };
      await deps.db.transaction(async (tx) => {
        const updated = await tx
          .update(jobs)
          .set({
            status: outcome.result === 'PASSED' ? 'COMPLETED' : 'FAILED',
            message: record.message,
            endedAt: deps.clock(),
            drill: outcome,
            errors: outcome.differences.map((d) => ({ message: `${d.kind.toLowerCase()}: ${d.message}`, resource: d.subject })),
          })
          .where(and(eq(jobs.orgId, record.orgId), eq(jobs.id, record.jobId)))
          .returning({ id: jobs.id });
        if (updated.length === 0) throw jobNotVisible(record.jobId);
        // The point may have expired meanwhile: then there is nothing to note the drill on.
        await tx
          .update(recoveryPoints)
          .set({ lastDrill: outcome })
          .where(and(eq(recoveryPoints.orgId, record.orgId), eq(recoveryPoints.id, outcome.recoveryPointId)));
      });
    },
  };
}
