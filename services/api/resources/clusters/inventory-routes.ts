import { clusters } from '../../../../lib/db/schema/index.js';
import { IdParams } from '../../../../lib/domain/schema-kit.js';
import type { ApiContext } from '../../context.js';
import { errorResponses } from '../../http/problem-schema.js';
import type { RoutePlugin } from '../../http/type-provider.js';
import { requireConnectedAgent } from './connected-agent.js';
import { inventoryFromAgent } from './inventory-answer.js';
import { ClusterInventory, InventoryQuery } from './inventory-schema.js';

/** What the wizards offer for a cluster, read from it now by its agent; nothing is stored. */
export function clusterInventoryRoutes(context: ApiContext): RoutePlugin {
  return async (app) => {
    app.get(
      '/clusters/:id/inventory',
      {
        schema: {
          tags: ['clusters'],
          operationId: 'getClusterInventory',
          summary: 'List a cluster\'s namespaces, storage classes (with CSI driver and snapshot classes) and resource types',
          description:
            'Read from the cluster now by its agent, for the backup, restore and replication wizards; nothing is stored. ' +
            '409 agent-not-connected when the agent does not poll, 504 agent-timeout when it does not answer within `timeoutSeconds`, ' +
            '502 agent-answer-invalid when its answer breaks the contract\'s bounds (counts, lengths, characters; docs/api.md).',
          params: IdParams,
          querystring: InventoryQuery,
          response: { 200: ClusterInventory, ...errorResponses('not-found', 'agent-not-connected', 'agent-timeout', 'agent-answer-invalid', 'workflows-unavailable', 'engine-unavailable') },
        },
      },
      async (request) => {
        const cluster = await request.tenant.get(clusters, request.params.id, 'cluster');
        await requireConnectedAgent(context, cluster);
        const answer = await context.inventory.read({ orgId: cluster.orgId, clusterId: cluster.id, timeoutMs: request.query.timeoutSeconds * 1000 });
        return inventoryFromAgent(cluster.id, answer, context.clock.now());
      },
    );
  };
}
