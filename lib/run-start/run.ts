import { randomUUID } from 'node:crypto';
import { jobs, policies, recoveryPoints } from '../db/schema/index.js';
import type { DefinitionRow } from '../db/schema/definitions.js';
import type { TenantScope } from '../db/tenant-scope.js';
import type { Clock } from '../common/clock.js';
import { organizationWorkflowId } from '../common/temporal/names.js';
import { Problem, fieldProblem } from '../common/problem.js';
import type { StoredBackupSpec, StoredDrillSpec, StoredReplicationSpec, StoredRestoreSpec } from '../domain/definitions/stored.js';
import { and, desc, eq } from 'drizzle-orm';
import { runStart, type RunDefinition, type RunStart } from '../domain/runs/run-inputs.js';
import { checkSafeLockDestination, lookUpDestination } from './destination-lookup.js';
import { resolveRdsRun } from './rds-run.js';
import type { RdsBackupRunInput } from '../domain/rds/backup-spec.js';
import type { RdsRunMode } from '../common/enums.js';

export interface RunOptions {
  /** Ad-hoc retention from the request, if any. */
  retentionDays?: number | undefined;
  /** A scheduled run's retention: that of the policy schedule that fired. */
  retention?: { days: number; safeLock: boolean } | undefined;
  /** A scheduled run already has its workflow (Temporal named it); ad-hoc runs get a new id. */
  workflowId?: string | undefined;
  /** RDS backups: what the run does (SNAPSHOT unless asked). */
  rdsMode?: RdsRunMode | undefined;
}

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
  return organizationWorkflowId(row.orgId, `${row.kind.toLowerCase()}-${row.id}-${at.toISOString().replace(/[-:.]/g, '')}`);
}

/** Where a run of the definition writes and how long it keeps it; a Problem when it cannot run. */
export async function resolveRun(scope: TenantScope, row: DefinitionRow, options: RunOptions) {
  if (row.kind === 'RDS_BACKUP') {
    const rds = await resolveRdsRun(scope, row, { mode: options.rdsMode, retentionDays: options.retentionDays, retention: options.retention });
    return { retention: null, destination: null, recoveryPointId: null, rds };
  }
  const retention = await retentionFor(scope, row, options);
  let destination = null;
  let recoveryPointId = row.recoveryPointId;
  if (row.kind === 'DRILL') {
    recoveryPointId = await drilledPoint(scope, row);
  } else if (row.kind === 'RESTORE') {
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
  return { retention, destination, recoveryPointId, rds: null };
}

/** The drill's chosen point, or the newest point of its backup definition as of now. */
async function drilledPoint(scope: TenantScope, row: DefinitionRow): Promise<string> {
  if (row.recoveryPointId) {
    await scope.get(recoveryPoints, row.recoveryPointId, 'recovery point');
    return row.recoveryPointId;
  }
  const { backupDefinitionId } = row.spec as unknown as StoredDrillSpec;
  const [latest] = await scope.executor
    .select({ id: recoveryPoints.id })
    .from(recoveryPoints)
    .where(scope.owns(recoveryPoints, and(eq(recoveryPoints.definitionId, backupDefinitionId))))
    .orderBy(desc(recoveryPoints.createdAt))
    .limit(1);
  if (!latest) throw new Problem('conflict', `restore drill "${row.name}" has nothing to drill: its backup definition has no recovery point yet`);
  return latest.id;
}

/** The stored row as a run reads it; the API validated `spec` against the kind's schema when it saved it. */
export function runDefinition(
  row: DefinitionRow,
  resolvedPointId: string | null = row.recoveryPointId,
  rds: Omit<RdsBackupRunInput, 'jobId'> | null = null,
): RunDefinition {
  switch (row.kind) {
    case 'RDS_BACKUP':
      if (!rds) throw new Error(`rds backup definition ${row.id} was not resolved`);
      return { kind: 'RDS_BACKUP', input: rds };
    case 'BACKUP':
      return { kind: 'BACKUP', spec: row.spec as unknown as StoredBackupSpec };
    case 'REPLICATION':
      if (!row.destinationClusterId) throw new Error(`replication definition ${row.id} has no destination cluster`);
      return { kind: 'REPLICATION', spec: row.spec as unknown as StoredReplicationSpec, destinationClusterId: row.destinationClusterId };
    case 'RESTORE':
      if (!row.recoveryPointId) throw new Problem('conflict', `restore "${row.name}" has no recovery point any more (it expired)`);
      return { kind: 'RESTORE', spec: row.spec as unknown as StoredRestoreSpec, recoveryPointId: row.recoveryPointId };
    case 'DRILL':
      if (!resolvedPointId) throw new Error(`restore drill ${row.id} started without a resolved recovery point`);
      return { kind: 'DRILL', spec: row.spec as unknown as StoredDrillSpec, recoveryPointId: resolvedPointId };
  }
}

/** The fully resolved run for a job: the job's identity plus everything resolved, as the workflow's input. */
export function resolvedRun(
  scope: TenantScope,
  row: DefinitionRow,
  job: { id: string; workflowId: string },
  resolved: Awaited<ReturnType<typeof resolveRun>>,
): RunStart {
  const request = {
    orgId: scope.orgId,
    jobId: job.id,
    workflowId: job.workflowId,
    definitionId: row.id,
    definitionName: row.name,
    clusterId: row.clusterId,
    destination: resolved.destination,
    retention: resolved.retention,
  };
  return runStart(request, runDefinition(row, resolved.recoveryPointId, resolved.rds));
}

/**
 * Resolves a definition into one run (destination, retention, the definition's options as they are
 * now) and records its RUNNING job, in the caller's transaction. Throws a Problem when it cannot run.
 */
export async function prepareRun(scope: TenantScope, clock: Clock, row: DefinitionRow, options: RunOptions) {
  const resolved = await resolveRun(scope, row, options);
  const startedAt = clock.now();
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
  return { job, run: resolvedRun(scope, row, job, resolved) };
}
