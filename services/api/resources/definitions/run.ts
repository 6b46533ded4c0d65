import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { jobs, policies, recoveryPoints } from '../../../db/schema/index.js';
import { Problem, fieldProblem } from '../../../common/problem.js';
import type { ApiContext } from '../../context.js';
import type { TenantScope } from '../../tenancy/tenant-scope.js';
import { checkSafeLockDestination, lookUpDestination } from './destination-lookup.js';
import type { DefinitionRow } from './store.js';

export interface RunOptions {
  /** Ad-hoc retention from the request, if any. */
  retentionDays?: number | undefined;
  /** The definition's API representation, handed to the workflow as resolved input. */
  representation: unknown;
}

async function retentionFor(scope: TenantScope, row: DefinitionRow, retentionDays: number | undefined) {
  if (row.kind !== 'BACKUP') return null;
  if (retentionDays !== undefined) return { days: retentionDays, safeLock: false };
  const policy = row.policyId ? await scope.find(policies, row.policyId) : undefined;
  const schedule = policy?.schedules[0];
  if (!schedule) throw fieldProblem('body.retentionDays', 'is required: the definition has no policy to take a retention from');
  return { days: schedule.retentionDays, safeLock: schedule.safeLock };
}

function workflowIdFor(row: DefinitionRow, at: Date): string {
  return `${row.kind.toLowerCase()}-${row.id}-${at.toISOString().replace(/[-:.]/g, '')}`;
}

/**
 * Resolves a definition into one run request, records the job and asks the launcher to start it,
 * all in the caller's transaction: if the launcher refuses, no job row remains.
 */
export async function startRun(scope: TenantScope, context: ApiContext, row: DefinitionRow, options: RunOptions) {
  const retention = await retentionFor(scope, row, options.retentionDays);
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
  const startedAt = context.clock.now();
  const workflowId = workflowIdFor(row, startedAt);
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
  const started = await context.launcher.startRun({
    orgId: scope.orgId,
    jobId: job.id,
    workflowId,
    kind: row.kind,
    definitionId: row.id,
    definitionName: row.name,
    clusterId: row.clusterId,
    destination,
    retention,
    definition: options.representation,
  });
  const [updated] = await scope.executor
    .update(jobs)
    .set({ workflowRunId: started.runId })
    .where(scope.owns(jobs, eq(jobs.id, job.id)))
    .returning();
  return updated ?? job;
}
