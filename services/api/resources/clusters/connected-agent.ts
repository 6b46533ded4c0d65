import { Problem } from '../../../../lib/common/problem.js';
import { clusterStatus } from '../../../../lib/domain/cluster-status.js';
import type { ApiContext } from '../../context.js';

/**
 * Refuses, before anything is sent, a request only the cluster's agent can answer when the agent does not
 * poll: 409 agent-not-connected saying whether it never connected or when it last did.
 */
export async function requireConnectedAgent(context: ApiContext, cluster: { id: string; name: string }): Promise<void> {
  const lastPoll = (await context.liveness.lastPollTimes([cluster.id])).get(cluster.id);
  const status = clusterStatus(lastPoll, context.clock.now());
  if (status === 'ACTIVE') return;
  const reason = lastPoll ? `its agent last polled at ${lastPoll.toISOString()}` : 'no agent has connected yet; install it with the manifest from the registration';
  throw new Problem('agent-not-connected', `cluster "${cluster.name}" (${cluster.id}) is ${status}: ${reason}`);
}
