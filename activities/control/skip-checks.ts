import { WorkflowNotFoundError } from '@temporalio/client';
import { and, eq, isNull, lt, ne, or } from 'drizzle-orm';
import { clusterStatus } from '../../lib/domain/cluster-status.js';
import { clusterPrincipal, clusterTaskQueue } from '../../lib/common/temporal/names.js';
import { lastActivityPollTime } from '../../lib/common/temporal/task-queue-pollers.js';
import { clusters, jobs } from '../../lib/db/schema/index.js';
import type { ControlDeps, JobRef } from './deps.js';
import { jobNotVisible } from './job-failures.js';

/**
 * Why a run should not start, or null. Both answers are reasons a person reads on the SKIPPED job.
 */
export function skipCheckActivities(deps: ControlDeps) {
  return {
    /**
     * Connected means what the API shows as ACTIVE: the same rule (cluster-status.ts) decides both, on the
     * newest sign of life. Temporal keeps its pollers in memory, so a restarted server has forgotten an
     * agent that polled a moment ago, and would SKIP every run until the agent polls again; the poll seen
     * last is therefore kept in the cluster's row and counts as well.
     */
    async agentNotConnectedReason(input: { clusterId: string }): Promise<string | null> {
      const queue = clusterTaskQueue(input.clusterId);
      const polled = await lastActivityPollTime(deps.temporal.client, deps.temporal.namespace, queue, clusterPrincipal(input.clusterId));
      const stored = await recordAgentSeen(deps, input.clusterId, polled);
      const lastPoll = stored && (!polled || stored > polled) ? stored : polled;
      if (clusterStatus(lastPoll, deps.clock()) === 'ACTIVE') return null;
      return lastPoll
        ? `agent not connected: the cluster's agent last polled ${queue} at ${lastPoll.toISOString()}`
        : `agent not connected: no agent has polled ${queue}; install the agent with the manifest from the cluster's registration`;
    },

    /**
     * Another run of the same definition counts when it started earlier (ties broken by job id) and its
     * workflow still runs. Ordering makes two simultaneous starts agree on which one proceeds; asking
     * Temporal ignores job rows left RUNNING by a run that was terminated from outside.
     */
    async alreadyRunningReason(input: JobRef & { definitionId: string }): Promise<string | null> {
      const [me] = await deps.db
        .select()
        .from(jobs)
        .where(and(eq(jobs.orgId, input.orgId), eq(jobs.id, input.jobId)));
      if (!me) throw jobNotVisible(input.jobId);
      const earlier = await deps.db
        .select()
        .from(jobs)
        .where(
          and(
            eq(jobs.orgId, input.orgId),
            eq(jobs.definitionId, input.definitionId),
            // A replication's backup and restore phases are jobs of their own kind under its definition: part of its run, not another one.
            eq(jobs.kind, me.kind),
            eq(jobs.status, 'RUNNING'),
            ne(jobs.id, me.id),
            or(lt(jobs.startedAt, me.startedAt), and(eq(jobs.startedAt, me.startedAt), lt(jobs.id, me.id))),
          ),
        );
      for (const other of earlier) {
        try {
          const run = await deps.temporal.client.workflow.getHandle(other.workflowId).describe();
          if (run.status.name === 'RUNNING') {
            return `the same definition is already running: job ${other.id} (workflow ${other.workflowId}), started ${other.startedAt.toISOString()}`;
          }
        } catch (error) {
          if (!(error instanceof WorkflowNotFoundError)) throw error;
        }
      }
      return null;
    },
  };
}

/**
 * Stores `polled` as the cluster's last sign of life when it is newer (never moving it back), and returns
 * what was stored before: the last poll a check saw, which outlives a Temporal restart.
 */
async function recordAgentSeen(deps: ControlDeps, clusterId: string, polled: Date | undefined): Promise<Date | null> {
  const [row] = await deps.db.select({ lastSeen: clusters.agentLastSeenAt }).from(clusters).where(eq(clusters.id, clusterId));
  const stored = row?.lastSeen ?? null;
  if (polled && (!stored || polled > stored)) {
    await deps.db
      .update(clusters)
      .set({ agentLastSeenAt: polled })
      .where(and(eq(clusters.id, clusterId), or(isNull(clusters.agentLastSeenAt), lt(clusters.agentLastSeenAt, polled))));
  }
  return stored;
}
