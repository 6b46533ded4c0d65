import { checkSafeLockedDefinitions } from '../../../../lib/run-start/destination-lookup.js';
import { Type } from '@sinclair/typebox';
import { policies } from '../../../../lib/db/schema/index.js';
import { containsText, NameFilter } from '../../http/filters.js';
import { Page, PageQuery } from '../../http/pagination.js';
import { errorResponses } from '../../http/problem-schema.js';
import { IdParams } from '../../../../lib/domain/schema-kit.js';
import type { RoutePlugin } from '../../http/type-provider.js';
import { expectedVersion, setEtag } from '../../http/versioning.js';
import type { ApiContext } from '../../context.js';
import { syncPolicySchedules } from '../definitions/schedules.js';
import { checkCopyPolicyUsers } from '../rds-backup-definitions/kind.js';
import { referencesToPolicy, refuseWhileReferenced } from '../references.js';
import { requireAdminTo } from '../../auth/roles.js';
import { checkPolicy } from './rules.js';
import { policyWeakening } from './weakening.js';
import { Policy, PolicyInput } from './schema.js';

const tags = ['policies'];
const what = 'policy';

function toApi(row: typeof policies.$inferSelect): Policy {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    timeZone: row.timeZone,
    schedules: row.schedules,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Policies; a change reaches the Temporal schedules of every definition using the policy. */
export function policyRoutes(context: ApiContext): RoutePlugin {
  return async (app) => {
    app.get(
      '/policies',
      {
        schema: {
          tags,
          summary: 'List policies',
          querystring: Type.Object({ ...PageQuery, ...NameFilter }, { additionalProperties: false }),
          response: { 200: Page(Policy), ...errorResponses('unprocessable') },
        },
      },
      async (request) => {
        const page = await request.tenant.list(policies, {
          limit: request.query.limit,
          cursor: request.query.cursor,
          sort: { column: policies.createdAt, field: 'createdAt' },
          filters: [containsText(policies.name, request.query.name)],
        });
        return { items: page.rows.map(toApi), nextCursor: page.nextCursor };
      },
    );

    app.get(
      '/policies/:id',
      { schema: { tags, summary: 'Read a policy', params: IdParams, response: { 200: Policy, ...errorResponses('not-found') } } },
      async (request, reply) => {
        const row = await request.tenant.get(policies, request.params.id, what);
        setEtag(reply, row);
        return toApi(row);
      },
    );

    app.post(
      '/policies',
      {
        schema: {
          tags,
          summary: 'Create a policy: schedules with their retention and SafeLock',
          body: PolicyInput,
          response: { 201: Policy, ...errorResponses('name-taken', 'unprocessable') },
        },
      },
      async (request, reply) => {
        checkPolicy(request.body);
        const row = await request.tenant.insert(policies, request.body);
        setEtag(reply, row);
        reply.code(201).header('location', `${request.url}/${row.id}`);
        return toApi(row);
      },
    );

    app.put(
      '/policies/:id',
      {
        schema: {
          tags,
          summary: 'Replace a policy',
          params: IdParams,
          body: PolicyInput,
          response: {
            200: Policy,
            ...errorResponses('not-found', 'name-taken', 'unprocessable', 'precondition-required', 'version-mismatch', 'engine-unavailable'),
          },
        },
      },
      async (request, reply) => {
        const version = expectedVersion(request, true) as number;
        checkPolicy(request.body);
        const row = await request.tenant.transaction(async (scope) => {
          const current = await scope.getForUpdate(policies, request.params.id, what);
          // SafeLock and retention protect backups from whoever holds a key; only admins take that protection away.
          requireAdminTo(request.principal.role, policyWeakening(current.schedules, request.body.schedules));
          const updated = await scope.update(policies, request.params.id, version, request.body, what);
          await checkSafeLockedDefinitions(scope, { policyId: updated.id }, 'body.schedules');
          await checkCopyPolicyUsers(scope, updated);
          await syncPolicySchedules(scope, context.launcher, updated);
          return updated;
        });
        setEtag(reply, row);
        return toApi(row);
      },
    );

    app.delete(
      '/policies/:id',
      {
        schema: {
          tags,
          summary: 'Delete a policy no definition uses',
          params: IdParams,
          response: { 204: Type.Null(), ...errorResponses('not-found', 'still-referenced', 'version-mismatch') },
        },
      },
      async (request, reply) => {
        await request.tenant.transaction(async (scope) => {
          const row = await scope.getForUpdate(policies, request.params.id, what);
          requireAdminTo(request.principal.role, row.schedules.some((schedule) => schedule.safeLock) ? `policy "${row.name}" has SafeLock schedules` : undefined);
          refuseWhileReferenced(`policy "${row.name}"`, await referencesToPolicy(scope, row.id));
          await scope.delete(policies, row.id, expectedVersion(request, false), what);
        });
        return reply.code(204).send(null);
      },
    );
  };
}
