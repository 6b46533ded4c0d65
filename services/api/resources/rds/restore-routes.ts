import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { jobs, rdsDatabases, recoveryPoints } from '../../../../lib/db/schema/index.js';
import { fieldProblem } from '../../../../lib/common/problem.js';
import { organizationWorkflowId } from '../../../../lib/common/temporal/names.js';
import type { TenantScope } from '../../../../lib/db/tenant-scope.js';
import type { RdsRestoreRunInput } from '../../../../lib/domain/rds/restore.js';
import type { ApiContext } from '../../context.js';
import { errorResponses } from '../../http/problem-schema.js';
import type { RoutePlugin } from '../../http/type-provider.js';
import { requireReference } from '../references.js';
import { Job } from '../jobs/schema.js';
import { toApi as jobToApi } from '../jobs/store.js';
import { RdsRestoreRequest } from './schema.js';

type Resolved = Omit<RdsRestoreRunInput, 'jobId' | 'orgId' | 'target' | 'waitTimeoutMinutes'> & { sourceName: string };

/** Where the data comes from: an awsrds point's snapshot (in its region), or a database of the inventory at a time. */
async function resolveSource(scope: TenantScope, source: RdsRestoreRequest['source']): Promise<Resolved> {
  if (source.kind === 'RECOVERY_POINT') {
    const point = await requireReference(scope, recoveryPoints, source.recoveryPointId, 'body.source.recoveryPointId', 'recovery point');
    if (point.sourceType !== 'awsrds' || !point.rds) throw fieldProblem('body.source.recoveryPointId', 'is not an RDS snapshot: restore a cluster\'s recovery point with /restores');
    const { rds } = point;
    return {
      cloudAccountId: rds.cloudAccountId,
      region: rds.region,
      databaseType: rds.databaseType,
      source: { kind: 'SNAPSHOT', recoveryPointId: point.id, snapshotIdentifier: rds.snapshotIdentifier, engine: rds.engine },
      sourceName: rds.databaseIdentifier,
    };
  }
  const database = await requireReference(scope, rdsDatabases, source.databaseId, 'body.source.databaseId', 'RDS database');
  if (database.deletedAt) throw fieldProblem('body.source.databaseId', `${database.identifier} no longer exists in AWS: restore one of its snapshots instead`);
  return {
    cloudAccountId: database.cloudAccountId,
    region: database.region,
    databaseType: database.type,
    source: { kind: 'POINT_IN_TIME', sourceIdentifier: database.identifier, restoreTime: source.restoreTime },
    sourceName: database.identifier,
  };
}

/**
 * RDS restores: into a new instance or cluster, never over an existing one. A restore is a one-off run,
 * not a definition: the answer is its job (kind RDS_RESTORE), which the workflow ends.
 */
export function rdsRestoreRoutes(context: ApiContext): RoutePlugin {
  return async (app) => {
    app.post(
      '/rds-restores',
      {
        schema: {
          tags: ['rds-restores'],
          summary: 'Restore an RDS snapshot, or a database at a point in time, into a new instance or cluster',
          description: 'Answers 202 with the RDS_RESTORE job once its workflow has started; 501 while this build has no workflow engine.',
          body: RdsRestoreRequest,
          response: { 202: Job, ...errorResponses('invalid-reference', 'unprocessable', 'workflows-unavailable') },
        },
      },
      async (request, reply) => {
        const body = request.body;
        const job = await request.tenant.transaction(async (scope) => {
          const { sourceName, ...resolved } = await resolveSource(scope, body.source);
          const id = randomUUID();
          const workflowId = organizationWorkflowId(scope.orgId, `rds-restore-${id}`);
          const row = await scope.insert(jobs, {
            id,
            kind: 'RDS_RESTORE',
            definitionId: null,
            definitionName: `${sourceName} → ${body.target.identifier}`,
            clusterId: null,
            status: 'RUNNING',
            startedAt: context.clock.now(),
            workflowId,
          });
          const input: RdsRestoreRunInput = {
            ...resolved,
            orgId: scope.orgId,
            jobId: id,
            target: {
              identifier: body.target.identifier,
              instanceClass: body.target.instanceClass,
              subnetGroupName: body.target.subnetGroupName,
              securityGroupIds: body.target.securityGroupIds,
              parameterGroupName: body.target.parameterGroupName,
            },
            waitTimeoutMinutes: body.waitTimeoutMinutes,
          };
          const started = await context.launcher.startRdsRestore({ workflowId, input });
          const [updated] = await scope.executor.update(jobs).set({ workflowRunId: started.runId }).where(scope.owns(jobs, eq(jobs.id, row.id))).returning();
          return updated ?? row;
        });
        return reply.code(202).send(jobToApi(job, context.temporal, request.principal.role));
      },
    );
  };
}
