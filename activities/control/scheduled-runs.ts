import { and, eq } from 'drizzle-orm';
import { Problem } from '../../lib/common/problem.js';
import { definitions, jobs } from '../../lib/db/schema/index.js';
import type { DefinitionRow } from '../../lib/db/schema/definitions.js';
import { TenantScope } from '../../lib/db/tenant-scope.js';
import type { BackupRunInput } from '../../lib/domain/runs/backup-run.js';
import type { ReplicationRunInput } from '../../lib/domain/runs/replication-run.js';
import type { RdsBackupRunInput } from '../../lib/domain/rds/backup-spec.js';
import type { DrillRunInput } from '../../lib/domain/runs/drill-run.js';
import type { ScheduledRunInput, ScheduledRunOutcome } from '../../lib/domain/runs/scheduled-run.js';
import { resolveRun, resolvedRun } from '../../lib/run-start/run.js';
import type { ControlDeps } from './deps.js';

/** The skip reason a person reads on a run that fired while its definition was paused. */
export const SCHEDULE_PAUSED = 'schedule paused';

export interface ScheduledRunStart extends ScheduledRunInput {
  /** The run's own ids: Temporal chose the workflow id (`<kind>-<definition>-<time>`). */
  workflowId: string;
  runId: string;
}

export type ScheduledRunDecision =
  | ScheduledRunOutcome
  | { status: 'RUN'; input: BackupRunInput }
  | { status: 'REPLICATE'; input: ReplicationRunInput }
  | { status: 'RDS'; input: RdsBackupRunInput }
  | { status: 'DRILL'; input: DrillRunInput };

/**
 * A scheduled run's first step: the definition as it is now decides whether it runs. Paused → a
 * SKIPPED job; unable to run (no destination, SafeLock on a plain bucket…) → a FAILED job saying why;
 * otherwise a RUNNING job and the backup's (or replication's, or drill's) resolved input, exactly as "run now"
 * would make it. A replication ignores the schedule's retention: resolveRun gives it none. One
 * transaction, and idempotent by workflow id, so a retried attempt finds the job the first recorded.
 */
export function scheduledRunActivities(deps: ControlDeps) {
  async function end(scope: TenantScope, row: DefinitionRow, start: ScheduledRunStart, status: 'SKIPPED' | 'FAILED', reason: string) {
    const now = deps.clock();
    await scope.insert(jobs, {
      kind: row.kind,
      definitionId: row.id,
      definitionName: row.name,
      clusterId: row.clusterId,
      status,
      skipReason: status === 'SKIPPED' ? reason : null,
      message: status === 'SKIPPED' ? `Skipped: ${reason}` : reason,
      errors: status === 'FAILED' ? [{ message: reason }] : [],
      startedAt: now,
      endedAt: now,
      workflowId: start.workflowId,
      workflowRunId: start.runId,
    });
    return { status, reason };
  }

  return {
    async startScheduledRun(start: ScheduledRunStart): Promise<ScheduledRunDecision> {
      const tenant = new TenantScope(deps.db, start.orgId, { now: deps.clock });
      return tenant.transaction(async (scope): Promise<ScheduledRunDecision> => {
        const [row] = await scope.executor.select().from(definitions).where(scope.owns(definitions, eq(definitions.id, start.definitionId))).for('update');
        if (!row) return { status: 'GONE', reason: `definition ${start.definitionId} no longer exists; its schedule is removed at the API's next start` };
        const [recorded] = await scope.executor.select().from(jobs).where(scope.owns(jobs, and(eq(jobs.workflowId, start.workflowId), eq(jobs.workflowRunId, start.runId))));
        if (recorded && recorded.status !== 'RUNNING') return { status: recorded.status === 'SKIPPED' ? 'SKIPPED' : 'FAILED', reason: recorded.skipReason ?? recorded.message };
        if (!recorded && row.paused) return end(scope, row, start, 'SKIPPED', SCHEDULE_PAUSED);
        if (row.kind === 'RESTORE') return end(scope, row, start, 'FAILED', 'restores are never scheduled');
        let resolved;
        try {
          resolved = await resolveRun(scope, row, { retention: start.retention, rdsMode: start.rdsMode });
        } catch (error) {
          if (error instanceof Problem) return end(scope, row, start, 'FAILED', `the scheduled run could not start: ${error.detail}`);
          throw error;
        }
        const job =
          recorded ??
          (await scope.insert(jobs, {
            kind: row.kind,
            definitionId: row.id,
            definitionName: row.name,
            clusterId: row.clusterId,
            status: 'RUNNING',
            startedAt: deps.clock(),
            workflowId: start.workflowId,
            workflowRunId: start.runId,
          }));
        const run = resolvedRun(scope, row, job, resolved);
        if (run.kind === 'REPLICATION') return { status: 'REPLICATE', input: run.input };
        if (run.kind === 'BACKUP') return { status: 'RUN', input: run.input };
        if (run.kind === 'RDS_BACKUP') return { status: 'RDS', input: run.input };
        if (run.kind === 'DRILL') return { status: 'DRILL', input: run.input };
        throw new Error(`a scheduled run resolved to a ${run.kind} run`);
      });
    },
  };
}
