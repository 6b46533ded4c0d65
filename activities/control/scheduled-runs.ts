import { and, eq } from 'drizzle-orm';
import { Problem } from '../../lib/common/problem.js';
import { backupDefinitionKind } from '../../services/api/resources/backup-definitions/kind.js';
import { representation } from '../../services/api/resources/definitions/kind.js';
import { resolveRun, runRequest } from '../../services/api/resources/definitions/run.js';
import type { DefinitionRow } from '../../services/api/resources/definitions/store.js';
import { backupRunInput } from '../../services/api/seams/backup-run-input.js';
import { replicationDefinitionKind } from '../../services/api/resources/replication-definitions/kind.js';
import { replicationRunInput } from '../../services/api/resources/replication-definitions/run-input.js';
import type { ReplicationRunInput } from '../../workflows/replication-input.js';
import { TenantScope } from '../../lib/db/tenant-scope.js';
import { definitions, jobs } from '../../lib/db/schema/index.js';
import type { BackupRunInput } from '../../workflows/backup-input.js';
import type { ScheduledRunInput, ScheduledRunOutcome } from '../../workflows/schedule-run-input.js';
import type { ControlDeps } from './deps.js';

/** The skip reason a person reads on a run that fired while its definition was paused. */
export const SCHEDULE_PAUSED = 'schedule paused';

export interface ScheduledRunStart extends ScheduledRunInput {
  /** The run's own ids: Temporal chose the workflow id (`<kind>-<definition>-<time>`). */
  workflowId: string;
  runId: string;
}

export type ScheduledRunDecision = ScheduledRunOutcome | { status: 'RUN'; input: BackupRunInput } | { status: 'REPLICATE'; input: ReplicationRunInput };

/**
 * A scheduled run's first step: the definition as it is now decides whether it runs. Paused → a
 * SKIPPED job; unable to run (no destination, SafeLock on a plain bucket…) → a FAILED job saying why;
 * otherwise a RUNNING job and the backup's (or replication's) resolved input, exactly as "run now"
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
          resolved = await resolveRun(scope, row, { retention: start.retention, representation: null });
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
        if (row.kind === 'REPLICATION') {
          const request = runRequest(scope, row, job, resolved, await representation(scope, replicationDefinitionKind, row));
          return { status: 'REPLICATE', input: replicationRunInput(request) };
        }
        const request = runRequest(scope, row, job, resolved, await representation(scope, backupDefinitionKind, row));
        return { status: 'RUN', input: backupRunInput(request) };
      });
    },
  };
}
