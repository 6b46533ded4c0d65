import { Type } from '@sinclair/typebox';
import { eq } from 'drizzle-orm';
import { recoveryPoints } from '../../../../lib/db/schema/index.js';
import { Problem } from '../../../../lib/common/problem.js';
import type { ApiContext } from '../../context.js';
import { Page, PageQuery } from '../../http/pagination.js';
import { errorResponses } from '../../http/problem-schema.js';
import { Id, IdParams } from '../../../../lib/domain/schema-kit.js';
import type { RoutePlugin } from '../../http/type-provider.js';
import { RecoveryPoint, RecoveryPointType } from './schema.js';
import { isLocked, toApi } from './store.js';
import { KeptSnapshot } from '../../../../lib/domain/kept-snapshot.js';
import { keptSnapshotsOf } from '../../../../lib/domain/recovery-point-contents.js';

const tags = ['recovery-points'];
const what = 'recovery point';

export function recoveryPointRoutes(context: ApiContext): RoutePlugin {
  return async (app) => {
    app.get(
      '/recovery-points',
      {
        schema: {
          tags,
          summary: 'List recovery points, newest first',
          querystring: Type.Object(
            { ...PageQuery, clusterId: Type.Optional(Id), definitionId: Type.Optional(Id), type: Type.Optional(RecoveryPointType) },
            { additionalProperties: false },
          ),
          response: { 200: Page(RecoveryPoint), ...errorResponses('unprocessable') },
        },
      },
      async (request) => {
        const { limit, cursor, clusterId, definitionId, type } = request.query;
        const page = await request.tenant.list(recoveryPoints, {
          limit,
          cursor,
          sort: { column: recoveryPoints.createdAt, field: 'createdAt' },
          filters: [
            clusterId ? eq(recoveryPoints.clusterId, clusterId) : undefined,
            definitionId ? eq(recoveryPoints.definitionId, definitionId) : undefined,
            type ? eq(recoveryPoints.type, type) : undefined,
          ],
        });
        const now = context.clock.now();
        return { items: page.rows.map((row) => toApi(row, now)), nextCursor: page.nextCursor };
      },
    );

    app.get(
      '/recovery-points/:id',
      { schema: { tags, summary: 'Read a recovery point', params: IdParams, response: { 200: RecoveryPoint, ...errorResponses('not-found') } } },
      async (request) => toApi(await request.tenant.get(recoveryPoints, request.params.id, what), context.clock.now()),
    );

    app.delete(
      '/recovery-points/:id',
      {
        // A deleted point cannot come back: only admins throw backups away.
        config: { requiredRole: 'admin' },
        schema: {
          tags,
          summary: 'Delete a recovery point and its data (refused while SafeLock holds it)',
          description: 'A workflow removes the kept snapshots (through the cluster\'s agent), the repository snapshots, then the point, and records a RECOVERY_POINT_DELETE job; the answer is 202 with its workflow id. 501 while this build has no workflow engine.',
          params: IdParams,
          response: {
            202: Type.Object({ workflowId: Type.String() }),
            ...errorResponses('not-found', 'locked', 'workflows-unavailable', 'engine-unavailable'),
          },
        },
      },
      async (request, reply) => {
        const row = await request.tenant.get(recoveryPoints, request.params.id, what);
        if (isLocked(row, context.clock.now())) {
          throw new Problem('locked', `recovery point ${row.id} is SafeLocked until ${row.lockedUntil?.toISOString()}`);
        }
        const started = await context.launcher.deleteRecoveryPoint({ orgId: row.orgId, id: row.id, storageTargetId: row.storageTargetId });
        return reply.code(202).send(started);
      },
    );

    app.post(
      '/recovery-points/:id/actions/release',
      {
        // It leaves data behind in a cluster and drops the point for good: an admin's decision.
        config: { requiredRole: 'admin' },
        schema: {
          tags,
          summary: 'Release a recovery point whose cluster cannot delete its kept snapshots (refused while SafeLock holds it)',
          description:
            'For a point whose cluster was removed from Haven or whose agent is gone for good, so expiry and DELETE keep failing. ' +
            'A workflow forgets the point\'s repository snapshots and removes the point without asking the cluster: its kept CSI snapshots ' +
            'stay in the cluster and are listed here and on the RECOVERY_POINT_DELETE job (PARTIAL, one error per snapshot) for deletion by hand. ' +
            'A SafeLocked point cannot be released before its lock ends (409 locked), and a deletion of the point still running must end first (409 conflict). ' +
            '501 while this build has no workflow engine.',
          params: IdParams,
          response: {
            202: Type.Object({
              workflowId: Type.String(),
              keptSnapshots: Type.Array(KeptSnapshot, { description: 'What stays in the cluster: delete each by hand (the VolumeSnapshot, its content, or the cloud snapshot).' }),
            }),
            ...errorResponses('not-found', 'locked', 'conflict', 'workflows-unavailable', 'engine-unavailable'),
          },
        },
      },
      async (request, reply) => {
        const row = await request.tenant.get(recoveryPoints, request.params.id, what);
        // Never shortens a SafeLock: a locked point is released, like deleted, only once its lock has ended.
        if (isLocked(row, context.clock.now())) {
          throw new Problem('locked', `recovery point ${row.id} is SafeLocked until ${row.lockedUntil?.toISOString()}; it cannot be released before then`);
        }
        const started = await context.launcher.releaseRecoveryPoint({ orgId: row.orgId, id: row.id });
        return reply.code(202).send({ ...started, keptSnapshots: keptSnapshotsOf(row.contents) });
      },
    );
  };
}
