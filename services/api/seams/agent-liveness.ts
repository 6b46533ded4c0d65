/**
 * Tells when an agent last polled its cluster's task queue. The Temporal implementation
 * (temporal-agent-liveness.ts) reads DescribeTaskQueue pollers of `cluster.<id>`, behind a short cache
 * (cached-agent-liveness.ts); without a workflow engine nothing reports, so clusters stay PENDING.
 */
export interface AgentLiveness {
  /** Last poll time per cluster id; clusters never seen are absent. */
  lastPollTimes(clusterIds: readonly string[]): Promise<ReadonlyMap<string, Date>>;
}

export const noAgentLiveness: AgentLiveness = {
  lastPollTimes: async () => new Map(),
};
