import { proxyActivities } from '@temporalio/workflow';
import type { ClusterInventoryActivities } from '../activities/cluster/inventory/cluster-inventory.js';
import { clusterTaskQueue } from '../lib/common/temporal/names.js';

export interface ClusterInventoryInput {
  clusterId: string;
  /** How long a person waits for the answer; the agent must pick the work up and finish within it. */
  timeoutMs: number;
}

/**
 * One step: ask the cluster's agent what the wizards may offer (namespaces, storage, resource types).
 * A single attempt, as for a preview: the caller is an HTTP request that answers 504 at the bound. The
 * answer comes from a cluster its tenant controls, so it is `unknown` here: the API decodes it.
 */
export async function clusterInventoryWorkflow(input: ClusterInventoryInput): Promise<unknown> {
  const agent = proxyActivities<ClusterInventoryActivities>({
    taskQueue: clusterTaskQueue(input.clusterId),
    scheduleToCloseTimeout: input.timeoutMs,
    retry: { maximumAttempts: 1 },
  });
  const answer: unknown = await agent.clusterInventory({ version: 1 });
  return answer;
}
