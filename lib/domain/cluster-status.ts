import type { ClusterStatus } from '../common/enums.js';

/** An agent that polled within this window counts as connected (Temporal pollers re-poll every ~60 s). */
export const AGENT_LIVENESS_WINDOW_MS = 2 * 60_000;

export function clusterStatus(lastSeenAt: Date | null | undefined, now: Date): ClusterStatus {
  if (!lastSeenAt) return 'PENDING';
  return now.getTime() - lastSeenAt.getTime() <= AGENT_LIVENESS_WINDOW_MS ? 'ACTIVE' : 'INACTIVE';
}
