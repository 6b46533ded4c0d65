import type { Clock } from '../../../lib/common/clock.js';
import type { AgentLiveness } from './agent-liveness.js';

/**
 * How long a cluster's last poll time is reused. Agents poll continuously and a cluster turns INACTIVE
 * only after minutes of silence (lib/domain/cluster-status.ts), so a few seconds of staleness changes no
 * status a user could act on, while a client listing clusters in a loop costs Temporal one
 * DescribeTaskQueue per cluster per TTL instead of one per request.
 */
export const LIVENESS_CACHE_TTL_MS = 5_000;
/** Clusters remembered at most; the oldest lookups are forgotten first, so memory stays bounded whatever is asked. */
export const LIVENESS_CACHE_MAX_CLUSTERS = 10_000;

interface Entry {
  at: number;
  lastPoll: Promise<Date | undefined>;
}

/**
 * Reuses another AgentLiveness's answers for LIVENESS_CACHE_TTL_MS. Lookups in flight are shared too, so
 * concurrent requests for the same cluster make one call. A failed lookup is remembered like any answer
 * (the wrapped seam reports a cluster it could not read as absent): an outage is not retried per request.
 */
export class CachedAgentLiveness implements AgentLiveness {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly source: AgentLiveness,
    private readonly clock: Clock,
    private readonly ttlMs = LIVENESS_CACHE_TTL_MS,
    private readonly maxClusters = LIVENESS_CACHE_MAX_CLUSTERS,
  ) {}

  async lastPollTimes(clusterIds: readonly string[]): Promise<ReadonlyMap<string, Date>> {
    const now = this.clock.now().getTime();
    const missing = [...new Set(clusterIds)].filter((id) => {
      const entry = this.entries.get(id);
      return !entry || now - entry.at >= this.ttlMs;
    });
    if (missing.length > 0) {
      const batch = this.source.lastPollTimes(missing);
      for (const id of missing) {
        // Re-inserted, so Map order is lookup order and the first entries are the oldest.
        this.entries.delete(id);
        this.entries.set(id, { at: now, lastPoll: batch.then((times) => times.get(id), () => undefined) });
      }
      this.evictOldest();
    }
    const result = new Map<string, Date>();
    for (const id of clusterIds) {
      const lastPoll = await (this.entries.get(id)?.lastPoll ?? this.source.lastPollTimes([id]).then((times) => times.get(id)));
      if (lastPoll) result.set(id, lastPoll);
    }
    return result;
  }

  private evictOldest(): void {
    for (const id of this.entries.keys()) {
      if (this.entries.size <= this.maxClusters) return;
      this.entries.delete(id);
    }
  }
}
