import { Type } from '@sinclair/typebox';
import type { TObject } from '@sinclair/typebox';
import { definitions } from '../../../../lib/db/schema/index.js';
import { Problem } from '../../../../lib/common/problem.js';
import { requireAdminTo } from '../../auth/roles.js';
import type { ApiContext } from '../../context.js';
import { errorResponses } from '../../http/problem-schema.js';
import { IdParams } from '../../../../lib/domain/schema-kit.js';
import type { RoutePlugin } from '../../http/type-provider.js';
import { setEtag } from '../../http/versioning.js';
import { Job } from '../jobs/schema.js';
import { toApi as jobToApi } from '../jobs/store.js';
import { getDefinition, representation } from './kind.js';
import type { DefinitionKindSpec } from './kind.js';
import { AdHocRun } from '../../../../lib/domain/definitions/options.js';
import { startRun } from './start-run.js';
import { syncDefinitionSchedules } from './schedules.js';

const NoBody = Type.Object({}, { additionalProperties: false, default: {} });

/** Run now for every kind; pause and resume for the scheduled kinds (backup, replication). */
export function definitionActionRoutes<I extends TObject, O extends TObject>(spec: DefinitionKindSpec<I, O>, context: ApiContext): RoutePlugin {
  const { kind, path, what } = spec;
  const tags = [spec.tag];
  const output: TObject = spec.output;

  return async (app) => {
    app.post(
      `${path}/:id/actions/run`,
      {
        schema: {
          tags,
          summary: `Run the ${what} now`,
          description: 'Answers 202 with the job once the workflow has started; 501 while this build has no workflow engine.',
          params: IdParams,
          body: kind === 'BACKUP' ? AdHocRun : NoBody,
          response: { 202: Job, ...errorResponses('not-found', 'unprocessable', 'conflict', 'workflows-unavailable', 'engine-unavailable') },
        },
      },
      async (request, reply) => {
        const body = request.body as { retentionDays?: number };
        const job = await request.tenant.transaction(async (scope) => {
          const row = await getDefinition(scope, kind, request.params.id, what);
          return startRun(scope, context, row, { retentionDays: body.retentionDays });
        });
        return reply.code(202).send(jobToApi(job, context.temporal, request.principal.role));
      },
    );

    if (kind === 'RESTORE') return;

    for (const action of ['pause', 'resume'] as const) {
      app.post(
        `${path}/:id/actions/${action}`,
        {
          schema: {
            tags,
            summary: action === 'pause' ? `Pause the ${what}'s schedule (runs are skipped)` : `Resume the ${what}'s schedule`,
            params: IdParams,
            response: { 200: output, ...errorResponses('not-found', 'conflict', 'workflows-unavailable', 'engine-unavailable') },
          },
        },
        async (request, reply) => {
          const row = await request.tenant.transaction(async (scope) => {
            const current = await getDefinition(scope, kind, request.params.id, what, true);
            if (!current.policyId) throw new Problem('conflict', `${what} "${current.name}" has no policy, so nothing is scheduled to ${action}`);
            const pausing = action === 'pause';
            if (current.paused === pausing) throw new Problem('conflict', `${what} "${current.name}" is already ${pausing ? 'paused' : 'running on schedule'}`);
            if (pausing) requireAdminTo(request.principal.role, await spec.adminToStop?.(scope, current));
            if (pausing) await context.launcher.pauseSchedule({ id: current.id, kind });
            else await context.launcher.resumeSchedule({ id: current.id, kind });
            const updated = await scope.update(definitions, current.id, current.version, { paused: pausing }, what);
            // Also recreates schedules Temporal lost or never had (saved while the engine was away), in the new state.
            await syncDefinitionSchedules(scope, context.launcher, updated);
            return updated;
          });
          setEtag(reply, row);
          return representation(request.tenant, spec, row);
        },
      );
    }
  };
}
