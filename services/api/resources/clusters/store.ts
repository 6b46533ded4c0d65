import type { clusters } from '../../../../lib/db/schema/index.js';
import type { Clock } from '../../../../lib/common/clock.js';
import { clusterStatus } from '../../../../lib/domain/cluster-status.js';
import type { AgentLiveness } from '../../seams/agent-liveness.js';
import type { Cluster } from './schema.js';

type Row = typeof clusters.$inferSelect;

/** The API view: stored fields plus the status derived from the most recent sign of life. */
export async function toApiList(rows: Row[], liveness: AgentLiveness, clock: Clock): Promise<Cluster[]> {
  const reported = rows.length > 0 ? await liveness.lastPollTimes(rows.map((row) => row.id)) : new Map<string, Date>();
  const now = clock.now();
  return rows.map((row) => {
    const fromLiveness = reported.get(row.id);
    const lastSeen = [row.agentLastSeenAt, fromLiveness].filter((d): d is Date => d instanceof Date).sort((a, b) => b.getTime() - a.getTime())[0];
    return {
      id: row.id,
      name: row.name,
      description: row.description,
      tags: row.tags,
      kubeletPodsDir: row.kubeletPodsDir,
      defaultStorageTargetId: row.defaultStorageTargetId,
      status: clusterStatus(lastSeen, now),
      agentLastSeenAt: lastSeen?.toISOString() ?? null,
      version: row.version,
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    };
  });
}

export async function toApi(row: Row, liveness: AgentLiveness, clock: Clock): Promise<Cluster> {
  return (await toApiList([row], liveness, clock))[0] as Cluster;
}
