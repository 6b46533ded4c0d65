import { Problem } from '../../../lib/common/problem.js';

/** Asks a cluster's agent for its inventory (workflows/cluster-inventory.ts on Temporal). */
export interface ClusterInventoryReader {
  /**
   * The agent's answer as it came: untrusted, the caller decodes it. Throws Problem `agent-timeout` when
   * no answer comes within `timeoutMs`.
   */
  read(input: { orgId: string; clusterId: string; timeoutMs: number }): Promise<unknown>;
}

export const unavailableInventory: ClusterInventoryReader = {
  read: async () => {
    throw new Problem('workflows-unavailable', 'reading a cluster\'s inventory needs the workflow engine (TEMPORAL_ADDRESS is not set)');
  },
};
