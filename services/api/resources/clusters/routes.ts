import { checkSafeLockedDefinitions } from '../../../../lib/run-start/destination-lookup.js';
import { Type } from '@sinclair/typebox';
import { clusters, storageTargets } from '../../../../lib/db/schema/index.js';
import { generateSecretToken, hashSecretToken } from '../../../../lib/common/secret-tokens.js';
import type { ApiContext } from '../../context.js';
import { containsText, NameFilter } from '../../http/filters.js';
import { Page, PageQuery } from '../../http/pagination.js';
import { errorResponses } from '../../http/problem-schema.js';
import { IdParams } from '../../../../lib/domain/schema-kit.js';
import type { RoutePlugin } from '../../http/type-provider.js';
import { expectedVersion, setEtag } from '../../http/versioning.js';
import type { TenantScope } from '../../../../lib/db/tenant-scope.js';
import { referencesToCluster, refuseWhileReferenced, requireReference } from '../references.js';
import { agentManifest } from './agent-manifest.js';
import { AgentRegistration, Cluster, ClusterInput, RegisteredCluster } from './schema.js';
import { toApi, toApiList } from './store.js';

const tags = ['clusters'];
const what = 'cluster';
const AGENT_TOKEN_PREFIX = 'hvc_';

async function checkReferences(scope: TenantScope, input: ClusterInput): Promise<void> {
  if (input.defaultStorageTargetId) {
    await requireReference(scope, storageTargets, input.defaultStorageTargetId, 'body.defaultStorageTargetId', 'storage target');
  }
}

export function clusterRoutes(context: ApiContext): RoutePlugin {
  return async (app) => {
    app.get(
      '/clusters',
      {
        schema: {
          tags,
          summary: 'List clusters',
          querystring: Type.Object({ ...PageQuery, ...NameFilter }, { additionalProperties: false }),
          response: { 200: Page(Cluster), ...errorResponses('unprocessable') },
        },
      },
      async (request) => {
        const page = await request.tenant.list(clusters, {
          limit: request.query.limit,
          cursor: request.query.cursor,
          sort: { column: clusters.createdAt, field: 'createdAt' },
          filters: [containsText(clusters.name, request.query.name)],
        });
        return { items: await toApiList(page.rows, context.liveness, context.clock), nextCursor: page.nextCursor };
      },
    );

    app.get(
      '/clusters/:id',
      { schema: { tags, summary: 'Read a cluster and its agent status', params: IdParams, response: { 200: Cluster, ...errorResponses('not-found') } } },
      async (request, reply) => {
        const row = await request.tenant.get(clusters, request.params.id, what);
        setEtag(reply, row);
        return toApi(row, context.liveness, context.clock);
      },
    );

    app.post(
      '/clusters',
      {
        schema: {
          tags,
          summary: 'Register a cluster; the response holds the agent manifest and token, shown once',
          body: ClusterInput,
          response: { 201: RegisteredCluster, ...errorResponses('name-taken', 'invalid-reference') },
        },
      },
      async (request, reply) => {
        const agentToken = generateSecretToken(AGENT_TOKEN_PREFIX);
        const row = await request.tenant.transaction(async (scope) => {
          await checkReferences(scope, request.body);
          return scope.insert(clusters, { ...request.body, agentTokenHash: hashSecretToken(agentToken) });
        });
        setEtag(reply, row);
        reply.code(201).header('location', `${request.url}/${row.id}`);
        return {
          ...(await toApi(row, context.liveness, context.clock)),
          agentToken,
          agentManifest: agentManifest(context.agent, row, agentToken),
        };
      },
    );

    app.put(
      '/clusters/:id',
      {
        schema: {
          tags,
          summary: 'Change a cluster\'s settings',
          params: IdParams,
          body: ClusterInput,
          response: {
            200: Cluster,
            ...errorResponses('not-found', 'name-taken', 'invalid-reference', 'unprocessable', 'precondition-required', 'version-mismatch'),
          },
        },
      },
      async (request, reply) => {
        const version = expectedVersion(request, true) as number;
        const row = await request.tenant.transaction(async (scope) => {
          await checkReferences(scope, request.body);
          const updated = await scope.update(clusters, request.params.id, version, request.body, what);
          await checkSafeLockedDefinitions(scope, { clusterId: updated.id }, 'body.defaultStorageTargetId');
          return updated;
        });
        setEtag(reply, row);
        return toApi(row, context.liveness, context.clock);
      },
    );

    app.post(
      '/clusters/:id/agent-token',
      {
        schema: {
          tags,
          summary: 'Issue a new agent token and manifest; the previous token stops working',
          params: IdParams,
          response: { 200: AgentRegistration, ...errorResponses('not-found') },
        },
      },
      async (request) => {
        const agentToken = generateSecretToken(AGENT_TOKEN_PREFIX);
        const row = await request.tenant.update(clusters, request.params.id, undefined, { agentTokenHash: hashSecretToken(agentToken) }, what);
        return { agentToken, agentManifest: agentManifest(context.agent, row, agentToken) };
      },
    );

    app.delete(
      '/clusters/:id',
      {
        schema: {
          tags,
          summary: 'Delete a cluster no definition uses (its recovery points stay until they expire)',
          params: IdParams,
          response: { 204: Type.Null(), ...errorResponses('not-found', 'still-referenced', 'version-mismatch') },
        },
      },
      async (request, reply) => {
        await request.tenant.transaction(async (scope) => {
          const row = await scope.getForUpdate(clusters, request.params.id, what);
          refuseWhileReferenced(`cluster "${row.name}"`, await referencesToCluster(scope, row.id));
          await scope.delete(clusters, row.id, expectedVersion(request, false), what);
        });
        return reply.code(204).send(null);
      },
    );
  };
}
