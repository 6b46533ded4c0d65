import type { RoutePlugin } from '../../http/type-provider.js';
import { Type } from '@sinclair/typebox';
import { eq } from 'drizzle-orm';

import { apiKeys, users } from '../../../../lib/db/schema/index.js';
import { fieldProblem, Problem } from '../../../../lib/common/problem.js';
import { roleAllows } from '../../auth/roles.js';
import { generateSecretToken, hashSecretToken, tokenHint } from '../../../../lib/common/secret-tokens.js';
import { Page, PageQuery } from '../../http/pagination.js';
import { errorResponses } from '../../http/problem-schema.js';
import { IdParams } from '../../../../lib/domain/schema-kit.js';
import { ApiKey, ApiKeyInput, CreatedApiKey } from './schema.js';

const tags = ['api-keys'];
const admin = { requiredRole: 'admin' as const };

function toApi(row: typeof apiKeys.$inferSelect): ApiKey {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    role: row.role,
    userId: row.userId,
    keyHint: row.keyHint,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
  };
}

export const apiKeyRoutes: RoutePlugin = async (app) => {
  app.get(
    '/api-keys',
    {
      config: admin,
      schema: {
        tags,
        summary: 'List API keys (never the keys themselves)',
        querystring: Type.Object(
          { ...PageQuery, userId: Type.Optional(Type.String({ format: 'uuid', description: "Only this user's keys." })) },
          { additionalProperties: false },
        ),
        response: { 200: Page(ApiKey), ...errorResponses('unprocessable') },
      },
    },
    async (request) => {
      const page = await request.tenant.list(apiKeys, {
        limit: request.query.limit,
        cursor: request.query.cursor,
        sort: { column: apiKeys.createdAt, field: 'createdAt' },
        filters: [request.query.userId === undefined ? undefined : eq(apiKeys.userId, request.query.userId)],
      });
      return { items: page.rows.map(toApi), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/api-keys',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Create an API key; the key is in this response only',
        body: ApiKeyInput,
        response: { 201: CreatedApiKey, ...errorResponses('invalid-reference', 'unprocessable') },
      },
    },
    async (request, reply) => {
      const userId = request.body.userId ?? request.principal.userId;
      if (userId !== null) {
        const user = await request.tenant.find(users, userId);
        if (!user) throw fieldProblem('body.userId', `user ${userId} does not exist`, 'invalid-reference');
        if (user.disabled) throw fieldProblem('body.userId', `user ${user.email} is disabled`);
        if (!roleAllows(user.role, request.body.role)) {
          throw fieldProblem('body.role', `exceeds the ${user.role} role of user ${user.email}`);
        }
      }
      const key = generateSecretToken();
      const row = await request.tenant.insert(apiKeys, {
        userId,
        name: request.body.name,
        description: request.body.description,
        role: request.body.role,
        keyHash: hashSecretToken(key),
        keyHint: tokenHint(key),
      });
      reply.code(201).header('location', `${request.url}/${row.id}`);
      return { ...toApi(row), key };
    },
  );

  app.delete(
    '/api-keys/:id',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Delete (revoke) an API key',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses('not-found', 'conflict') },
      },
    },
    async (request, reply) => {
      if (request.params.id === request.principal.apiKeyId) {
        throw new Problem('conflict', 'an API key cannot delete itself; use another admin key');
      }
      await request.tenant.delete(apiKeys, request.params.id, undefined, 'API key');
      return reply.code(204).send(null);
    },
  );
};

