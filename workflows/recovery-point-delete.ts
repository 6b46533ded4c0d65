import { ApplicationFailure, CancellationScope, isCancellation, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { ClusterSnapshotActivities } from '../activities/cluster/snapshots/snapshot-activities.js';
import type { ControlActivities } from '../activities/control/index.js';
import { clusterTaskQueue } from '../lib/common/temporal/names.js';
import { CLUSTER_CALL, CONTROL, REPOSITORY_MAINTENANCE } from './activity-profiles.js';
import { rootCauseMessage } from './failure-message.js';
import type { RecoveryPointDeletionInput, RecoveryPointDeletionOutcome } from '../lib/domain/runs/recovery-point-deletion.js';

/** The workflow fails too, so the Temporal UI agrees with the job record. */
export const RECOVERY_POINT_DELETE_FAILED = 'RECOVERY_POINT_DELETE_FAILED';
export const SNAPSHOT_CLUSTER_UNAVAILABLE = 'SNAPSHOT_CLUSTER_UNAVAILABLE';

/**
 * Deletes one recovery point. Steps: record the job and read what the point holds (SafeLock refuses
 * here) → delete its kept CSI snapshots through the agent of the cluster that made them → forget its
 * snapshots in the repository (the control plane; GC reclaims the chunks later) → remove the row.
 * Snapshots go first because only a live agent can delete them: if it is away, nothing has been removed
 * and the point stays whole, its job FAILED with why. Once they are gone the point stops naming them, so
 * it never claims data it no longer has. Every step is idempotent: a resumed run repeats a step safely.
 */
export async function deleteRecoveryPointWorkflow(input: RecoveryPointDeletionInput): Promise<RecoveryPointDeletionOutcome> {
  const control = proxyActivities<ControlActivities>(CONTROL);
  const repository = proxyActivities<ControlActivities>(REPOSITORY_MAINTENANCE);
  const { workflowId, runId } = workflowInfo();
  const point = { orgId: input.orgId, recoveryPointId: input.recoveryPointId };

  const plan = await control.beginRecoveryPointDeletion({ ...input, workflowId, runId });
  if (plan.status === 'GONE') return plan;
  if (plan.status === 'LOCKED') return { status: 'LOCKED', jobId: plan.job.jobId, reason: plan.reason };
  const { job } = plan;

  try {
    if (plan.snapshots.length > 0) {
      await control.updateJobStep({ ...job, step: `Deleting ${plan.snapshots.length} kept snapshots on cluster ${plan.clusterName}` });
      const snapshotNames = plan.snapshots.map((s) => `${s.namespace}/${s.snapshotName}`);
      const unavailable = await control.snapshotClusterUnavailableReason({ orgId: input.orgId, clusterId: plan.clusterId, clusterName: plan.clusterName, snapshots: snapshotNames });
      if (unavailable || !plan.clusterId) throw ApplicationFailure.nonRetryable(unavailable ?? 'no cluster', SNAPSHOT_CLUSTER_UNAVAILABLE);
      const agent = proxyActivities<ClusterSnapshotActivities>({ ...CLUSTER_CALL, taskQueue: clusterTaskQueue(plan.clusterId) });
      for (const snapshot of plan.snapshots) await agent.deleteVolumeSnapshot(snapshot);
    }
    // The point stops naming them at once: if a later step fails, it stays true, and the retry needs no agent.
    // For scope SNAPSHOTS this also clears the snapshots' expiry, so the point is not due again until its own.
    if (plan.snapshots.length > 0 || input.scope === 'SNAPSHOTS') await control.forgetKeptSnapshots(point);
    let forgotten = 0;
    if (input.scope === 'ALL') {
      if (plan.repositorySnapshotIds.length > 0) {
        await control.updateJobStep({ ...job, step: `Forgetting ${plan.repositorySnapshotIds.length} snapshots in the repository` });
        forgotten = await repository.forgetRepositorySnapshots({ orgId: input.orgId, storageTargetId: plan.storageTargetId, snapshotIds: plan.repositorySnapshotIds });
      }
      await control.removeRecoveryPoint(point);
    }
    const what = input.scope === 'ALL' ? 'Deleted recovery point' : 'Deleted the kept snapshots of recovery point';
    await control.finishJob({
      ...job,
      status: 'COMPLETED',
      message: `${what} ${input.recoveryPointId}: ${plan.snapshots.length} kept snapshots, ${forgotten} repository snapshots (their data is reclaimed by the repository's garbage collection)`,
    });
    return { status: 'DELETED', jobId: job.jobId, snapshotsDeleted: plan.snapshots.length, repositorySnapshotsForgotten: forgotten };
  } catch (error) {
    const cancelled = isCancellation(error);
    const reason = cancelled ? 'the deletion was cancelled' : rootCauseMessage(error);
    // Recorded even when cancelled: the job must not stay RUNNING.
    await CancellationScope.nonCancellable(() =>
      control.finishJob({ ...job, status: cancelled ? 'CANCELLED' : 'FAILED', message: `Recovery point ${input.recoveryPointId} kept: ${reason}`, errors: [{ message: reason }] }),
    );
    if (cancelled) throw error;
    throw ApplicationFailure.nonRetryable(reason, RECOVERY_POINT_DELETE_FAILED);
  }
}
