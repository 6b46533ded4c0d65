import { Type } from '@sinclair/typebox';
import { eq } from 'drizzle-orm';
import { appHooks } from '../../../../lib/db/schema/index.js';
import { fieldProblem } from '../../../../lib/common/problem.js';
import { parseLabelSelector } from '../../../../lib/common/label-selector.js';
import { checkNotProtected } from '../definitions/parts-rules.js';
import { containsText, NameFilter } from '../../http/filters.js';
import { Page, PageQuery } from '../../http/pagination.js';
import { errorResponses } from '../../http/problem-schema.js';
import { IdParams } from '../../../../lib/domain/schema-kit.js';
import type { RoutePlugin } from '../../http/type-provider.js';
import { expectedVersion, setEtag } from '../../http/versioning.js';
import { referencesToHook, refuseWhileReferenced } from '../references.js';
import { AppHook, AppHookInput, HookType } from './schema.js';

const tags = ['app-hooks'];
const what = 'app hook';
// Hooks run their commands inside users' pods: only admins change them.
const admin = { requiredRole: 'admin' as const };

function checkHook(input: AppHookInput): void {
  const parsed = parseLabelSelector(input.podSelector);
  if (!parsed.ok) throw fieldProblem('body.podSelector', parsed.error.message);
  if (parsed.selector.requirements.length === 0) throw fieldProblem('body.podSelector', 'must select pods by at least one label');
  checkNotProtected(input.namespaces, 'body.namespaces');
}

function toApi(row: typeof appHooks.$inferSelect): AppHook {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    type: row.type,
    command: row.command,
    podSelector: row.podSelector,
    namespaces: row.namespaces,
    container: row.container,
    timeoutSeconds: row.timeoutSeconds,
    onError: row.onError,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export const appHookRoutes: RoutePlugin = async (app) => {
  app.get(
    '/app-hooks',
    {
      schema: {
        tags,
        summary: 'List app hooks',
        querystring: Type.Object({ ...PageQuery, ...NameFilter, type: Type.Optional(HookType) }, { additionalProperties: false }),
        response: { 200: Page(AppHook), ...errorResponses('unprocessable') },
      },
    },
    async (request) => {
      const { limit, cursor, name, type } = request.query;
      const page = await request.tenant.list(appHooks, {
        limit,
        cursor,
        sort: { column: appHooks.createdAt, field: 'createdAt' },
        filters: [containsText(appHooks.name, name), type ? eq(appHooks.type, type) : undefined],
      });
      return { items: page.rows.map(toApi), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/app-hooks/:id',
    { schema: { tags, summary: 'Read an app hook', params: IdParams, response: { 200: AppHook, ...errorResponses('not-found') } } },
    async (request, reply) => {
      const row = await request.tenant.get(appHooks, request.params.id, what);
      setEtag(reply, row);
      return toApi(row);
    },
  );

  app.post(
    '/app-hooks',
    {
      config: admin,
      schema: { tags, summary: 'Create an app hook', body: AppHookInput, response: { 201: AppHook, ...errorResponses('name-taken', 'unprocessable') } },
    },
    async (request, reply) => {
      checkHook(request.body);
      const row = await request.tenant.insert(appHooks, request.body);
      setEtag(reply, row);
      reply.code(201).header('location', `${request.url}/${row.id}`);
      return toApi(row);
    },
  );

  app.put(
    '/app-hooks/:id',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Replace an app hook',
        params: IdParams,
        body: AppHookInput,
        response: { 200: AppHook, ...errorResponses('not-found', 'name-taken', 'unprocessable', 'conflict', 'precondition-required', 'version-mismatch') },
      },
    },
    async (request, reply) => {
      const version = expectedVersion(request, true) as number;
      checkHook(request.body);
      const row = await request.tenant.transaction(async (scope) => {
        const current = await scope.getForUpdate(appHooks, request.params.id, what);
        // Definitions chose this hook for a slot of its type; changing the type would move it silently.
        if (current.type !== request.body.type) {
          refuseWhileReferenced(`the type of app hook "${current.name}"`, await referencesToHook(scope, current.id));
        }
        return scope.update(appHooks, current.id, version, request.body, what);
      });
      setEtag(reply, row);
      return toApi(row);
    },
  );

  app.delete(
    '/app-hooks/:id',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Delete an app hook no definition uses',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses('not-found', 'still-referenced', 'version-mismatch') },
      },
    },
    async (request, reply) => {
      await request.tenant.transaction(async (scope) => {
        const row = await scope.getForUpdate(appHooks, request.params.id, what);
        refuseWhileReferenced(`app hook "${row.name}"`, await referencesToHook(scope, row.id));
        await scope.delete(appHooks, row.id, expectedVersion(request, false), what);
      });
      return reply.code(204).send(null);
    },
  );
};
