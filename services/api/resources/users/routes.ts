import { Type } from '@sinclair/typebox';
import { eq } from 'drizzle-orm';
import { users } from '../../../../lib/db/schema/index.js';
import { Problem } from '../../../../lib/common/problem.js';
import { containsText } from '../../http/filters.js';
import { Page, PageQuery } from '../../http/pagination.js';
import { errorResponses } from '../../http/problem-schema.js';
import { IdParams } from '../../../../lib/domain/schema-kit.js';
import type { RoutePlugin } from '../../http/type-provider.js';
import { expectedVersion, setEtag } from '../../http/versioning.js';
import { lockActiveAdmins, refuseLosingLastAdmin, refuseTakenEmail } from './rules.js';
import { User, UserInput, UserQuery } from './schema.js';

const tags = ['users'];
const what = 'user';
const admin = { requiredRole: 'admin' as const };

function toApi(row: typeof users.$inferSelect): User {
  return {
    id: row.id,
    email: row.email,
    displayName: row.displayName,
    role: row.role,
    disabled: row.disabled,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/**
 * Users of the organization. Managing them is admin work; anyone can read their own record through
 * /users/me. An organization always keeps one enabled admin (409 otherwise).
 */
export const userRoutes: RoutePlugin = async (app) => {
  app.get(
    '/users',
    {
      config: admin,
      schema: {
        tags,
        summary: 'List users',
        querystring: Type.Object({ ...PageQuery, ...UserQuery }, { additionalProperties: false }),
        response: { 200: Page(User), ...errorResponses('unprocessable') },
      },
    },
    async (request) => {
      const { limit, cursor, email, role, disabled } = request.query;
      const page = await request.tenant.list(users, {
        limit,
        cursor,
        sort: { column: users.createdAt, field: 'createdAt' },
        filters: [
          containsText(users.email, email),
          role === undefined ? undefined : eq(users.role, role),
          disabled === undefined ? undefined : eq(users.disabled, disabled),
        ],
      });
      return { items: page.rows.map(toApi), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/users/me',
    {
      schema: {
        tags,
        operationId: 'getCurrentUser',
        summary: 'Read the user the calling API key belongs to (any role)',
        response: { 200: User, ...errorResponses('not-found') },
      },
    },
    async (request, reply) => {
      const userId = request.principal.userId;
      if (userId === null) throw new Problem('not-found', 'this API key belongs to no user (it was made before users existed)');
      const row = await request.tenant.get(users, userId, what);
      setEtag(reply, row);
      return toApi(row);
    },
  );

  app.get(
    '/users/:id',
    {
      config: admin,
      schema: { tags, summary: 'Read a user', params: IdParams, response: { 200: User, ...errorResponses('not-found') } },
    },
    async (request, reply) => {
      const row = await request.tenant.get(users, request.params.id, what);
      setEtag(reply, row);
      return toApi(row);
    },
  );

  app.post(
    '/users',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Create a user; give it API keys with POST /api-keys and its userId',
        body: UserInput,
        response: { 201: User, ...errorResponses('conflict') },
      },
    },
    async (request, reply) => {
      const row = await request.tenant.transaction(async (scope) => {
        await refuseTakenEmail(scope, request.body.email);
        return scope.insert(users, request.body);
      });
      setEtag(reply, row);
      reply.code(201).header('location', `${request.url}/${row.id}`);
      return toApi(row);
    },
  );

  app.put(
    '/users/:id',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Replace a user: email, display name, role, disabled',
        params: IdParams,
        body: UserInput,
        response: { 200: User, ...errorResponses('not-found', 'conflict', 'precondition-required', 'version-mismatch') },
      },
    },
    async (request, reply) => {
      const version = expectedVersion(request, true) as number;
      const row = await request.tenant.transaction(async (scope) => {
        const activeAdmins = await lockActiveAdmins(scope);
        const current = await scope.getForUpdate(users, request.params.id, what);
        if (current.id === request.principal.userId && request.body.disabled && !current.disabled) {
          throw new Problem('conflict', 'a user cannot disable itself; use another admin', {
            errors: [{ field: 'body.disabled', reason: "would lock out the calling key's own user" }],
          });
        }
        refuseLosingLastAdmin(activeAdmins, current, request.body);
        await refuseTakenEmail(scope, request.body.email, current.id);
        return scope.update(users, current.id, version, request.body, what);
      });
      setEtag(reply, row);
      return toApi(row);
    },
  );

  app.delete(
    '/users/:id',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Delete a user and revoke its API keys',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses('not-found', 'conflict', 'version-mismatch') },
      },
    },
    async (request, reply) => {
      await request.tenant.transaction(async (scope) => {
        const activeAdmins = await lockActiveAdmins(scope);
        const current = await scope.getForUpdate(users, request.params.id, what);
        if (current.id === request.principal.userId) {
          throw new Problem('conflict', "a user cannot delete itself (it would revoke the calling key); use another admin");
        }
        refuseLosingLastAdmin(activeAdmins, current, 'deleted');
        await scope.delete(users, current.id, expectedVersion(request, false), what);
      });
      return reply.code(204).send(null);
    },
  );
};
