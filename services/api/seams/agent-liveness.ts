/**
 * Tells when an agent last polled its cluster's task queue. The Temporal implementation will read
 * DescribeTaskQueue pollers for `cluster.<id>`; until then nothing reports, so clusters stay PENDING.
 */
export interface AgentLiveness {
  /** Last poll time per cluster id; clusters never seen are absent. */
  lastPollTimes(clusterIds: readonly string[]): Promise<ReadonlyMap<string, Date>>;
}

export const noAgentLiveness: AgentLiveness = {
  lastPollTimes: async () => new Map(),
};
