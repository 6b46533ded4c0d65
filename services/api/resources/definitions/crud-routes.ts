import { Type } from '@sinclair/typebox';
import type { Static, TObject } from '@sinclair/typebox';
import { eq, or } from 'drizzle-orm';
import { definitions } from '../../../../lib/db/schema/index.js';
import type { ApiContext } from '../../context.js';
import { containsText, NameFilter } from '../../http/filters.js';
import { Page, PageQuery } from '../../http/pagination.js';
import { errorResponses } from '../../http/problem-schema.js';
import { Id, IdParams } from '../../../../lib/domain/schema-kit.js';
import type { RoutePlugin } from '../../http/type-provider.js';
import { expectedVersion, setEtag } from '../../http/versioning.js';
import type { TenantScope } from '../../../../lib/db/tenant-scope.js';
import { requireAdminTo } from '../../auth/roles.js';
import { loadHookSlots } from './hook-slots.js';
import { syncDefinitionSchedules } from './schedules.js';
import { getDefinition } from './kind.js';
import type { DefinitionKindSpec } from './kind.js';
import type { DefinitionRow } from './store.js';
import { insertDefinition, updateDefinition } from './store.js';

const ListQuery = Type.Object(
  {
    ...PageQuery,
    ...NameFilter,
    clusterId: Type.Optional({ ...Id, description: 'Only definitions involving this cluster (as source, destination or target).' }),
    policyId: Type.Optional({ ...Id, description: 'Only definitions using this policy.' }),
  },
  { additionalProperties: false },
);

/** List, read, create, replace and delete for one definition kind. */
export function definitionCrudRoutes<I extends TObject, O extends TObject>(spec: DefinitionKindSpec<I, O>, context: ApiContext): RoutePlugin {
  const { kind, path, what } = spec;
  const tags = [spec.tag];
  // Widened so Fastify's route typing need not resolve Static<> of a type parameter; `spec` keeps the precise types.
  const input: TObject = spec.input;
  const output: TObject = spec.output;

  async function represent(scope: TenantScope, rows: DefinitionRow[]): Promise<Static<O>[]> {
    const hooks = await loadHookSlots(scope, rows.map((row) => row.id));
    return rows.map((row) => spec.toApi(row, hooks.get(row.id) ?? new Map()));
  }

  return async (app) => {
    app.get(
      path,
      { schema: { tags, summary: `List ${what}s`, querystring: ListQuery, response: { 200: Page(output), ...errorResponses('unprocessable') } } },
      async (request) => {
        const { limit, cursor, name, clusterId, policyId } = request.query;
        const page = await request.tenant.list(definitions, {
          limit,
          cursor,
          sort: { column: definitions.createdAt, field: 'createdAt' },
          filters: [
            eq(definitions.kind, kind),
            containsText(definitions.name, name),
            clusterId ? or(eq(definitions.clusterId, clusterId), eq(definitions.destinationClusterId, clusterId)) : undefined,
            policyId ? eq(definitions.policyId, policyId) : undefined,
          ],
        });
        return { items: await represent(request.tenant, page.rows), nextCursor: page.nextCursor };
      },
    );

    app.get(
      `${path}/:id`,
      { schema: { tags, summary: `Read a ${what}`, params: IdParams, response: { 200: output, ...errorResponses('not-found') } } },
      async (request, reply) => {
        const row = await getDefinition(request.tenant, kind, request.params.id, what);
        setEtag(reply, row);
        return (await represent(request.tenant, [row]))[0];
      },
    );

    app.post(
      path,
      {
        schema: {
          tags,
          summary: `Create a ${what}`,
          body: input,
          response: { 201: output, ...errorResponses('name-taken', 'invalid-reference', 'unprocessable', 'engine-unavailable', 'payload-too-large') },
        },
      },
      async (request, reply) => {
        const body = request.body as Static<I>;
        requireAdminTo(request.principal.role, spec.adminOnly?.(body));
        const row = await request.tenant.transaction(async (scope) => {
          const created = await insertDefinition(scope, kind, await spec.prepare(scope, body));
          await syncDefinitionSchedules(scope, context.launcher, created);
          await spec.afterCreate?.(scope, created, body, context);
          return created;
        });
        setEtag(reply, row);
        reply.code(201).header('location', `${request.url}/${row.id}`);
        return (await represent(request.tenant, [row]))[0];
      },
    );

    app.put(
      `${path}/:id`,
      {
        schema: {
          tags,
          summary: `Replace a ${what}`,
          params: IdParams,
          body: input,
          response: {
            200: output,
            ...errorResponses('not-found', 'name-taken', 'invalid-reference', 'unprocessable', 'precondition-required', 'version-mismatch', 'engine-unavailable', 'payload-too-large'),
          },
        },
      },
      async (request, reply) => {
        const version = expectedVersion(request, true) as number;
        const body = request.body as Static<I>;
        requireAdminTo(request.principal.role, spec.adminOnly?.(body));
        const row = await request.tenant.transaction(async (scope) => {
          const stored = await getDefinition(scope, kind, request.params.id, what, true);
          const prepared = await spec.prepare(scope, body);
          requireAdminTo(request.principal.role, await spec.adminToReplace?.(scope, stored, body));
          const updated = await updateDefinition(scope, request.params.id, version, prepared, what);
          await syncDefinitionSchedules(scope, context.launcher, updated);
          return updated;
        });
        setEtag(reply, row);
        return (await represent(request.tenant, [row]))[0];
      },
    );

    app.delete(
      `${path}/:id`,
      {
        schema: {
          tags,
          summary: `Delete a ${what} (its jobs and recovery points remain)`,
          params: IdParams,
          response: { 204: Type.Null(), ...errorResponses('not-found', 'version-mismatch', 'engine-unavailable') },
        },
      },
      async (request, reply) => {
        await request.tenant.transaction(async (scope) => {
          const row = await getDefinition(scope, kind, request.params.id, what, true);
          requireAdminTo(request.principal.role, await spec.adminToStop?.(scope, row));
          await scope.delete(definitions, request.params.id, expectedVersion(request, false), what);
          await syncDefinitionSchedules(scope, context.launcher, row, true);
        });
        return reply.code(204).send(null);
      },
    );
  };
}
