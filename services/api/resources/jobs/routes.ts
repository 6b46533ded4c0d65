import { Type } from '@sinclair/typebox';
import { eq } from 'drizzle-orm';
import { jobs } from '../../../../lib/db/schema/index.js';
import { Problem } from '../../../../lib/common/problem.js';
import type { ApiContext } from '../../context.js';
import { Page, PageQuery } from '../../http/pagination.js';
import { errorResponses } from '../../http/problem-schema.js';
import { Id, IdParams } from '../../../../lib/domain/schema-kit.js';
import type { RoutePlugin } from '../../http/type-provider.js';
import { Job, JobKind, JobStatus } from './schema.js';
import { jobEventRoutes } from './events-route.js';
import { liveJob } from './live-job.js';
import { toApi } from './store.js';

const tags = ['jobs'];
const what = 'job';

/** Jobs are written by the workflows; the API reads them and can ask for a cancel. */
export function jobRoutes(context: ApiContext): RoutePlugin {
  return async (app) => {
    app.get(
      '/jobs',
      {
        schema: {
          tags,
          summary: 'List jobs, newest first',
          querystring: Type.Object(
            {
              ...PageQuery,
              status: Type.Optional(JobStatus),
              kind: Type.Optional(JobKind),
              definitionId: Type.Optional(Id),
              clusterId: Type.Optional(Id),
            },
            { additionalProperties: false },
          ),
          response: { 200: Page(Job), ...errorResponses('unprocessable') },
        },
      },
      async (request) => {
        const { limit, cursor, status, kind, definitionId, clusterId } = request.query;
        const page = await request.tenant.list(jobs, {
          limit,
          cursor,
          sort: { column: jobs.startedAt, field: 'startedAt' },
          filters: [
            status ? eq(jobs.status, status) : undefined,
            kind ? eq(jobs.kind, kind) : undefined,
            definitionId ? eq(jobs.definitionId, definitionId) : undefined,
            clusterId ? eq(jobs.clusterId, clusterId) : undefined,
          ],
        });
        return { items: page.rows.map((row) => toApi(row, context.temporal, request.principal.role)), nextCursor: page.nextCursor };
      },
    );

    app.get(
      '/jobs/:id',
      { schema: { tags, summary: 'Read a job', params: IdParams, response: { 200: Job, ...errorResponses('not-found') } } },
      async (request) => liveJob(context, await request.tenant.get(jobs, request.params.id, what), request.principal.role),
    );

    app.post(
      '/jobs/:id/actions/cancel',
      {
        schema: {
          tags,
          summary: 'Ask a running job to stop; it ends CANCELLED once its workflow has cleaned up',
          params: IdParams,
          response: { 202: Job, ...errorResponses('not-found', 'conflict', 'workflows-unavailable', 'engine-unavailable') },
        },
      },
      async (request, reply) => {
        const row = await request.tenant.get(jobs, request.params.id, what);
        if (row.status !== 'RUNNING') throw new Problem('conflict', `job ${row.id} already ended ${row.status}`);
        await context.launcher.cancelRun({ jobId: row.id, workflowId: row.workflowId });
        return reply.code(202).send(toApi(row, context.temporal, request.principal.role));
      },
    );

    await app.register(jobEventRoutes(context));
  };
}
