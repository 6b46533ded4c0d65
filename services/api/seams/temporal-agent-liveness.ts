import type { Client } from '@temporalio/client';
import { clusterPrincipal, clusterTaskQueue } from '../../../lib/common/temporal/names.js';
import { lastActivityPollTime } from '../../../lib/common/temporal/task-queue-pollers.js';
import type { AgentLiveness } from './agent-liveness.js';

/**
 * Agent liveness from Temporal: an agent is a worker on `cluster.<id>`, so its last poll is its last
 * sign of life. A Temporal outage must not break listing clusters: those clusters are simply not
 * reported, and their stored last-seen time applies.
 */
export class TemporalAgentLiveness implements AgentLiveness {
  constructor(
    private readonly client: Client,
    private readonly namespace: string,
  ) {}

  async lastPollTimes(clusterIds: readonly string[]): Promise<ReadonlyMap<string, Date>> {
    const times = await Promise.all(
      clusterIds.map((id) => lastActivityPollTime(this.client, this.namespace, clusterTaskQueue(id), clusterPrincipal(id)).catch(() => undefined)),
    );
    const result = new Map<string, Date>();
    clusterIds.forEach((id, index) => {
      const at = times[index];
      if (at) result.set(id, at);
    });
    return result;
  }
}
