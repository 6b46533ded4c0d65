import { ApplicationFailure, CancellationScope, isCancellation, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { ClusterRestoreActivities } from '../activities/cluster/restore/restore-from-repository.js';
import type { ClusterStorageClassActivities } from '../activities/cluster/restore/restore-from-repository-storage-classes.js';
import type { ControlActivities } from '../activities/control/index.js';
import { clusterTaskQueue } from '../services/common/temporal/names.js';
import { CLUSTER_CALL, CONTROL, EXPORT } from './activity-profiles.js';
import { rootCauseMessage } from './failure-message.js';
import type { RestoreOutcome, RestoreRunInput } from './restore-input.js';
import { summarizeRestore } from './restore-summary.js';

/** A failed run ends the workflow failed too, so the Temporal UI agrees with the job record. */
export const RESTORE_FAILED = 'RESTORE_FAILED';

/** Steps as the job's message shows them while the run is in them. */
export const RESTORE_STEPS = {
  VALIDATING: 'Validating the target cluster',
  RESOLVING: 'Locating the recovery point in storage',
  RESTORING_RESOURCES: 'Restoring resources',
} as const;
type RestoreStep = keyof typeof RESTORE_STEPS;

/**
 * Reading the repository needs no retention: restores never write to it. Resolving access still takes
 * one (it is shared with backups, which do), and without SafeLock it sets nothing.
 */
const READ_ONLY = { days: 1, safeLock: false };

/**
 * One resources-only restore run. Reads as its steps: validate the target (its agent connected, the
 * storage classes remapped to exist there) → locate the recovery point's resources snapshot and open
 * access to its storage target → restore the objects on the target's agent → finish the job COMPLETED,
 * or PARTIAL with every failed object in the job's errors. PV data and post-restore hooks slot in after
 * the resources.
 */
export async function restoreWorkflow(input: RestoreRunInput): Promise<RestoreOutcome> {
  const control = proxyActivities<ControlActivities>(CONTROL);
  // Kubernetes work goes to the target cluster's agent only: its queue is the one it polls.
  const taskQueue = clusterTaskQueue(input.targetClusterId);
  const agent = proxyActivities<ClusterRestoreActivities>({ ...EXPORT, taskQueue });
  const clusterAgent = proxyActivities<ClusterStorageClassActivities>({ ...CLUSTER_CALL, taskQueue });
  const job = { orgId: input.orgId, jobId: input.jobId };
  let step: RestoreStep = 'VALIDATING';
  const enter = async (next: RestoreStep) => {
    step = next;
    await control.updateJobStep({ ...job, step: RESTORE_STEPS[next] });
  };

  try {
    await enter('VALIDATING');
    const notConnected = await control.agentNotConnectedReason({ clusterId: input.targetClusterId });
    if (notConnected) throw ApplicationFailure.nonRetryable(notConnected, 'AGENT_NOT_CONNECTED');
    const remapped = Object.values(input.transforms.storageClassMapping);
    const { missing } = await clusterAgent.missingStorageClasses({ version: 1, storageClasses: remapped });
    if (missing.length > 0) {
      throw ApplicationFailure.nonRetryable(`the target cluster has no storage class ${missing.map((m) => `"${m}"`).join(', ')} that the storage-class remap names`, 'STORAGE_CLASS_MISSING');
    }

    await enter('RESOLVING');
    const source = await control.resolveRestoreSource({ orgId: input.orgId, recoveryPointId: input.recoveryPointId });
    const repository = await control.resolveRepositoryAccess({ orgId: input.orgId, storageTargetId: source.storageTargetId, retention: READ_ONLY });

    await enter('RESTORING_RESOURCES');
    const result = await agent.restoreResourcesFromRepository({
      version: 1,
      jobId: input.jobId,
      clusterId: input.targetClusterId,
      snapshotId: source.resourcesSnapshotId,
      repository,
      selection: input.selection,
      transforms: input.transforms,
      existingResources: input.existingResources,
    });

    const summary = summarizeRestore(result);
    await control.finishJob({ ...job, status: summary.status, message: summary.message, ...(summary.errors.length > 0 ? { errors: summary.errors } : {}) });
    return { status: summary.status, counts: result.counts };
  } catch (error) {
    if (isCancellation(error)) {
      // The job must say so even though this scope is cancelled.
      await CancellationScope.nonCancellable(() => control.finishJob({ ...job, status: 'CANCELLED', message: 'Cancelled on request' }));
      throw error;
    }
    const message = `${RESTORE_STEPS[step]} failed: ${rootCauseMessage(error)}`;
    await control.finishJob({ ...job, status: 'FAILED', message, errors: [{ message }] });
    throw ApplicationFailure.nonRetryable(message, RESTORE_FAILED, { workflowId: workflowInfo().workflowId });
  }
}
