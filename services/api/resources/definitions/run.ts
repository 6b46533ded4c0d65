import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { jobs, policies, recoveryPoints } from '../../../../lib/db/schema/index.js';
import { Problem, fieldProblem } from '../../../../lib/common/problem.js';
import type { ApiContext } from '../../context.js';
import type { RunRequest } from '../../seams/workflow-launcher.js';
import type { TenantScope } from '../../../../lib/db/tenant-scope.js';
import { checkSafeLockDestination, lookUpDestination } from './destination-lookup.js';
import type { DefinitionRow } from './store.js';

export interface RunOptions {
  /** Ad-hoc retention from the request, if any. */
  retentionDays?: number | undefined;
  /** A scheduled run's retention: that of the policy schedule that fired. */
  retention?: { days: number; safeLock: boolean } | undefined;
  /** A scheduled run already has its workflow (Temporal named it); ad-hoc runs get a new id. */
  workflowId?: string | undefined;
  /** The definition's API representation, handed to the workflow as resolved input. */
  representation: unknown;
}

/** What resolving a run needs of the API's collaborators. */
export type RunContext = Pick<ApiContext, 'clock' | 'launcher'>;

async function retentionFor(scope: TenantScope, row: DefinitionRow, options: RunOptions) {
  if (row.kind !== 'BACKUP') return null;
  if (options.retention) return options.retention;
  const { retentionDays } = options;
  if (retentionDays !== undefined) return { days: retentionDays, safeLock: false };
  const policy = row.policyId ? await scope.find(policies, row.policyId) : undefined;
  const schedule = policy?.schedules[0];
  if (!schedule) throw fieldProblem('body.retentionDays', 'is required: the definition has no policy to take a retention from');
  return { days: schedule.retentionDays, safeLock: schedule.safeLock };
}

function workflowIdFor(row: DefinitionRow, at: Date): string {
  return `${row.kind.toLowerCase()}-${row.id}-${at.toISOString().replace(/[-:.]/g, '')}`;
}

/** Where a run of the definition writes and how long it keeps it; a Problem when it cannot run. */
export async function resolveRun(scope: TenantScope, row: DefinitionRow, options: RunOptions) {
  const retention = await retentionFor(scope, row, options);
  let destination = null;
  if (row.kind === 'RESTORE') {
    if (!row.recoveryPointId) throw new Problem('conflict', `restore "${row.name}" has no recovery point any more (it expired)`);
    await scope.get(recoveryPoints, row.recoveryPointId, 'recovery point');
  } else {
    destination = await lookUpDestination(scope, row);
    if (!destination) {
      throw fieldProblem(
        'advanced.destinationStorageTargetId',
        'no destination: set one on the definition, on its cluster, or as the organization default',
      );
    }
    if (retention?.safeLock) await checkSafeLockDestination(scope, destination, 'advanced.destinationStorageTargetId');
  }
  return { retention, destination };
}

/** The run request for a job: the job's identity plus everything resolved. */
export function runRequest(
  scope: TenantScope,
  row: DefinitionRow,
  job: { id: string; workflowId: string },
  resolved: Awaited<ReturnType<typeof resolveRun>>,
  representation: unknown,
): RunRequest {
  return {
    orgId: scope.orgId,
    jobId: job.id,
    workflowId: job.workflowId,
    kind: row.kind,
    definitionId: row.id,
    definitionName: row.name,
    clusterId: row.clusterId,
    destination: resolved.destination,
    retention: resolved.retention,
    definition: representation,
  };
}

/**
 * Resolves a definition into one run request (destination, retention, the definition as it is now)
 * and records its RUNNING job. Throws a Problem when the definition cannot run.
 */
export async function prepareRun(scope: TenantScope, context: Pick<ApiContext, 'clock'>, row: DefinitionRow, options: RunOptions) {
  const resolved = await resolveRun(scope, row, options);
  const startedAt = context.clock.now();
  const workflowId = options.workflowId ?? workflowIdFor(row, startedAt);
  const job = await scope.insert(jobs, {
    id: randomUUID(),
    kind: row.kind,
    definitionId: row.id,
    definitionName: row.name,
    clusterId: row.clusterId,
    status: 'RUNNING',
    startedAt,
    workflowId,
  });
  return { job, request: runRequest(scope, row, job, resolved, options.representation) };
}

/**
 * Resolves a definition into one run request, records the job and asks the launcher to start it,
 * all in the caller's transaction: if the launcher refuses, no job row remains.
 */
export async function startRun(scope: TenantScope, context: RunContext, row: DefinitionRow, options: RunOptions) {
  const { job, request } = await prepareRun(scope, context, row, options);
  const started = await context.launcher.startRun(request);
  const [updated] = await scope.executor
    .update(jobs)
    .set({ workflowRunId: started.runId })
    .where(scope.owns(jobs, eq(jobs.id, job.id)))
    .returning();
  return updated ?? job;
}
