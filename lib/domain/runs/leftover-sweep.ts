import { organizationWorkflowId } from '../../common/temporal/names.js';

/** One cluster's sweep: the organization names its workflow id (codec key, and which agents may take its tasks). */
export interface ClusterSweepInput {
  orgId: string;
  clusterId: string;
}

export interface ClusterSweepOutcome {
  /** Jobs that had objects in the cluster and are recorded as this cluster's ended jobs. */
  endedJobs: string[];
  /** `<kind> <namespace>/<name>` of each object deleted. */
  deleted: string[];
  /** Jobs whose objects stayed: still running, or not this cluster's jobs at all (the two are not told apart). */
  untouchedJobs: number;
}

export interface LeftoverSweepPassInput {
  /** How long a RUNNING job may have no workflow before it is reconciled; DEFAULT_ORPHAN_GRACE_MS when unset. */
  orphanGraceMs?: number;
}

export interface LeftoverSweepPassOutcome {
  /** Jobs left RUNNING by a workflow that is gone, now ended, and how. */
  reconciled: { jobId: string; status: string; message: string }[];
  /** Clusters whose sweep this pass started; each waits in the cluster's queue until its agent is there. */
  sweepsStarted: string[];
  /** Clusters whose sweep of an earlier pass is still waiting for their agent. */
  sweepsWaiting: string[];
}

/** One sweep per cluster at a time: a pass while an earlier one still waits for the agent joins it instead of queueing another. */
export function clusterSweepWorkflowId(orgId: string, clusterId: string): string {
  return organizationWorkflowId(orgId, `leftover-sweep-${clusterId}`);
}
