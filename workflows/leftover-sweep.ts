import { isCancellation, ParentClosePolicy, proxyActivities, startChild } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { LeftoverActivities } from '../activities/cluster/leftovers/leftover-activities.js';
import type { ControlActivities } from '../activities/control/index.js';
import { CLUSTER_ID_ATTRIBUTE, clusterTaskQueue, KIND_ATTRIBUTE } from '../lib/common/temporal/names.js';
import {
  clusterSweepWorkflowId,
  type ClusterSweepInput,
  type ClusterSweepOutcome,
  type LeftoverSweepPassInput,
  type LeftoverSweepPassOutcome,
} from '../lib/domain/runs/leftover-sweep.js';
import { CONTROL, LEFTOVER_SWEEP } from './activity-profiles.js';

/**
 * One cluster's sweep: the agent reports the jobs that have objects of Haven's in the cluster → the
 * control plane keeps those that are this cluster's own ended jobs, and the snapshots their recovery
 * points hold → the agent deletes the rest of those jobs' objects. The first task waits in the cluster's
 * queue while the agent is away, so a returning agent sweeps before anything else.
 */
export async function clusterSweepWorkflow(input: ClusterSweepInput): Promise<ClusterSweepOutcome> {
  const agent = proxyActivities<LeftoverActivities>({ ...LEFTOVER_SWEEP, taskQueue: clusterTaskQueue(input.clusterId) });
  const control = proxyActivities<ControlActivities>(CONTROL);
  const found = await agent.listLeftovers({ version: 1 });
  const { ended, keep } = found.jobs.length > 0 ? await control.endedJobsAmong({ clusterId: input.clusterId, jobIds: found.jobs.map((job) => job.jobId) }) : { ended: [], keep: [] };
  const deleted = ended.length > 0 ? (await agent.sweepLeftovers({ version: 1, jobIds: ended, keep })).deleted : [];
  return { endedJobs: ended, deleted, untouchedJobs: found.jobs.length - ended.length };
}

/**
 * The installation's leftover pass, started by its Schedule: first end the jobs whose workflow is gone
 * (so their leftovers count as ended), then start each cluster's sweep as a workflow of its own, not
 * waited for: a cluster whose agent is away must hold up no one else's.
 */
export async function leftoverSweepWorkflow(input: LeftoverSweepPassInput = {}): Promise<LeftoverSweepPassOutcome> {
  const control = proxyActivities<ControlActivities>(CONTROL);
  const reconciled = await control.reconcileOrphanedJobs(input.orphanGraceMs === undefined ? {} : { graceMs: input.orphanGraceMs });
  const outcome: LeftoverSweepPassOutcome = { reconciled, sweepsStarted: [], sweepsWaiting: [] };
  for (const target of await control.listSweepTargets()) {
    try {
      await startChild(clusterSweepWorkflow, {
        workflowId: clusterSweepWorkflowId(target.orgId, target.clusterId),
        args: [target],
        typedSearchAttributes: [
          { key: KIND_ATTRIBUTE, value: 'LEFTOVER_SWEEP' },
          { key: CLUSTER_ID_ATTRIBUTE, value: target.clusterId },
        ],
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
      outcome.sweepsStarted.push(target.clusterId);
    } catch (error) {
      if (isCancellation(error) || !(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      outcome.sweepsWaiting.push(target.clusterId);
    }
  }
  return outcome;
}
