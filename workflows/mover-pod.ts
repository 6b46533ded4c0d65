import { ActivityFailure, ApplicationFailure, CancellationScope, log, proxyActivities, TimeoutFailure } from '@temporalio/workflow';
import type { MoverPodActivities } from '../activities/cluster/mover-pods/mover-pod-activities.js';
import type { ControlActivities } from '../activities/control/index.js';
import type { MoverActivities } from '../activities/mover/mover-activities.js';
import { moverTaskQueue, type StartMoverPodRequest } from '../proto/mover/index.js';
import { clusterTaskQueue } from '../lib/common/temporal/names.js';
import { CLUSTER_CALL, CONTROL, moverWork } from './activity-profiles.js';

/** The run's failure type when a mover pod never polled its queue. */
export const DATA_MOVER_POD_TIMEOUT = 'DATA_MOVER_POD_TIMEOUT';

/** One mover pod: which claim it mounts and how, and what it is for (named in failures). */
export interface MoverPodPlan {
  clusterId: string;
  jobId: string;
  /** Unique within the job: names the pod and its queue. */
  moverIndex: number;
  namespace: string;
  /** The claim the pod mounts (a temporary one for snapshot copies). */
  claim: string;
  readOnly: boolean;
  volumeMode: 'Filesystem' | 'Block';
  memoryLimitMiB: number;
  purpose: StartMoverPodRequest['purpose'];
  /** Live reads: run beside the pods that mount the claim (ReadWriteOnce volumes attach to one node). */
  colocateWithClaimUsers?: boolean;
  /** Backups only: read the claim's volume from the node's pod volume directory instead of mounting the claim. */
  fromHostVolume?: boolean;
  podTimeoutMinutes: number;
  /** What the pod works on, as a person reads it in the job: `PV of claim shop/data`. */
  subject: string;
}

/** The agent's data-mover activities, on the cluster's queue. */
export function moverPodAgent(clusterId: string): MoverPodActivities {
  return proxyActivities<MoverPodActivities>({ ...CLUSTER_CALL, taskQueue: clusterTaskQueue(clusterId) });
}

function isScheduleToStartTimeout(error: unknown): boolean {
  return error instanceof ActivityFailure && error.cause instanceof TimeoutFailure && error.cause.timeoutType === 'SCHEDULE_TO_START';
}

/**
 * Runs `work` against the activities of a fresh mover pod: starts the pod on the agent, sends the work
 * to the pod's own queue (the data mover pod timeout bounds how long the pod may take to poll it), and
 * deletes the pod however the work ends, cancellation included. A pod that never starts fails with
 * DATA_MOVER_POD_TIMEOUT, naming the subject and the pod's own reason when the agent can tell it.
 */
export async function runOnMoverPod<T>(plan: MoverPodPlan, work: (mover: MoverActivities) => Promise<T>): Promise<T> {
  const agent = moverPodAgent(plan.clusterId);
  const taskQueue = moverTaskQueue(plan.clusterId, plan.jobId, plan.moverIndex);
  const token = await proxyActivities<ControlActivities>(CONTROL).issueMoverToken({ clusterId: plan.clusterId, jobId: plan.jobId, taskQueue });
  const { namespace, podName } = await agent.startMoverPod({
    version: 2,
    jobId: plan.jobId,
    namespace: plan.namespace,
    claim: plan.claim,
    readOnly: plan.readOnly,
    volumeMode: plan.volumeMode,
    taskQueue,
    token,
    memoryLimitMiB: plan.memoryLimitMiB,
    purpose: plan.purpose,
    ...(plan.colocateWithClaimUsers ? { colocateWithClaimUsers: true } : {}),
    ...(plan.fromHostVolume ? { fromHostVolume: true } : {}),
  });
  try {
    return await work(proxyActivities<MoverActivities>({ ...moverWork(plan.podTimeoutMinutes), taskQueue }));
  } catch (error) {
    if (!isScheduleToStartTimeout(error)) throw error;
    const described = await agent.describeMoverPod({ version: 1, namespace, podName }).catch(() => undefined);
    const why = described?.reason ? ` (pod ${described.phase}: ${described.reason})` : described ? ` (pod ${described.phase})` : '';
    throw ApplicationFailure.nonRetryable(
      `the data mover pod ${namespace}/${podName} for ${plan.subject} did not start within the data mover pod timeout of ${plan.podTimeoutMinutes} min${why}`,
      DATA_MOVER_POD_TIMEOUT,
    );
  } finally {
    // A leftover pod is swept by the run's final cleanup; a failing delete must not hide the work's outcome.
    await CancellationScope.nonCancellable(() =>
      agent.deleteMoverPod({ version: 1, namespace, podName }).catch((error: unknown) => log.warn('could not delete the data mover pod', { namespace, podName, error: String(error) })),
    );
  }
}
