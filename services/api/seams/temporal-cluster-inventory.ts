import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { CLUSTER_ID_ATTRIBUTE, KIND_ATTRIBUTE, organizationWorkflowId } from '../../../lib/common/temporal/names.js';
import { WORKFLOW_TYPES } from '../../../lib/domain/runs/workflow-types.js';
import type { ClusterInventoryInput } from '../../../workflows/cluster-inventory.js';
import type { ClusterInventoryReader } from './cluster-inventory.js';
import { askAgent } from './temporal-agent-request.js';

/** HavenKind of inventory runs, so a person can find them in the Temporal UI. */
export const INVENTORY_KIND = 'CLUSTER_INVENTORY';

export class TemporalClusterInventory implements ClusterInventoryReader {
  constructor(
    private readonly client: Client,
    private readonly controlTaskQueue: string,
  ) {}

  async read({ orgId, clusterId, timeoutMs }: { orgId: string; clusterId: string; timeoutMs: number }): Promise<unknown> {
    const input: ClusterInventoryInput = { clusterId, timeoutMs };
    return askAgent<unknown>(this.client, this.controlTaskQueue, {
      workflowType: WORKFLOW_TYPES.clusterInventory,
      workflowId: organizationWorkflowId(orgId, `inventory-${clusterId}-${randomUUID()}`),
      clusterId,
      timeoutMs,
      searchAttributes: [
        { key: CLUSTER_ID_ATTRIBUTE, value: clusterId },
        { key: KIND_ATTRIBUTE, value: INVENTORY_KIND },
      ],
      args: [input],
      noun: 'the inventory request',
      verb: 'list its inventory',
    });
  }
}
