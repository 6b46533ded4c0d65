import { ApplicationFailure, CancellationScope, isCancellation, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { ClusterSnapshotActivities } from '../activities/cluster/snapshots/snapshot-activities.js';
import type { ControlActivities } from '../activities/control/index.js';
import type { JobRef } from '../activities/control/deps.js';
import { clusterTaskQueue } from '../lib/common/temporal/names.js';
import { CLUSTER_CALL, CONTROL, RDS_CALL, REPOSITORY_MAINTENANCE } from './activity-profiles.js';
import { rootCauseMessage } from './failure-message.js';
import type { KeptSnapshot } from '../lib/domain/kept-snapshot.js';
import { describeKeptSnapshot } from '../lib/domain/recovery-point-contents.js';
import type { RecoveryPointDeletionInput, RecoveryPointDeletionOutcome } from '../lib/domain/runs/recovery-point-deletion.js';

/** The workflow fails too, so the Temporal UI agrees with the job record. */
export const RECOVERY_POINT_DELETE_FAILED = 'RECOVERY_POINT_DELETE_FAILED';
export const SNAPSHOT_CLUSTER_UNAVAILABLE = 'SNAPSHOT_CLUSTER_UNAVAILABLE';

/** What a failed deletion carries to whoever awaited it (the expiry pass): when it will be retried. */
export interface DeletionFailureDetails {
  retryAt?: string;
}

/**
 * Deletes one recovery point. Steps: record the job and read what the point holds (SafeLock refuses
 * here) → delete its kept CSI snapshots through the agent of the cluster that made them → forget its
 * snapshots in the repository (the control plane; GC reclaims the chunks later) → remove the row.
 * Snapshots go first because only a live agent can delete them: if it is away, nothing has been removed
 * and the point stays whole, its job FAILED with why and the point backing off (no pass retries it
 * before its `deletionRetryAt`). Once they are gone the point stops naming them, so it never claims data
 * it no longer has. Every step is idempotent: a resumed run repeats a step safely.
 * Scope RELEASE skips the agent: the kept snapshots stay in the cluster and the job lists them (PARTIAL).
 */
export async function deleteRecoveryPointWorkflow(input: RecoveryPointDeletionInput): Promise<RecoveryPointDeletionOutcome> {
  const control = proxyActivities<ControlActivities>(CONTROL);
  const repository = proxyActivities<ControlActivities>(REPOSITORY_MAINTENANCE);
  const rds = proxyActivities<ControlActivities>(RDS_CALL);
  const { workflowId, runId } = workflowInfo();
  const point = { orgId: input.orgId, recoveryPointId: input.recoveryPointId };
  const release = input.scope === 'RELEASE';

  const plan = await control.beginRecoveryPointDeletion({ ...input, workflowId, runId });
  if (plan.status === 'GONE') return plan;
  if (plan.status === 'LOCKED') return { status: 'LOCKED', jobId: plan.job.jobId, reason: plan.reason };
  const { job } = plan;

  try {
    if (!release && plan.snapshots.length > 0) {
      await control.updateJobStep({ ...job, step: `Deleting ${plan.snapshots.length} kept snapshots on cluster ${plan.clusterName}` });
      const snapshotNames = plan.snapshots.map((s) => `${s.namespace}/${s.snapshotName}`);
      const unavailable = await control.snapshotClusterUnavailableReason({ orgId: input.orgId, clusterId: plan.clusterId, clusterName: plan.clusterName, snapshots: snapshotNames });
      if (unavailable || !plan.clusterId) throw ApplicationFailure.nonRetryable(unavailable ?? 'no cluster', SNAPSHOT_CLUSTER_UNAVAILABLE);
      const agent = proxyActivities<ClusterSnapshotActivities>({ ...CLUSTER_CALL, taskQueue: clusterTaskQueue(plan.clusterId) });
      for (const snapshot of plan.snapshots) await agent.deleteVolumeSnapshot(snapshot);
    }
    // The point stops naming them at once: if a later step fails, it stays true, and the retry needs no agent.
    // For scope SNAPSHOTS this also clears the snapshots' expiry, so the point is not due again until its own.
    if (!release && (plan.snapshots.length > 0 || input.scope === 'SNAPSHOTS')) await control.forgetKeptSnapshots(point);
    let forgotten = 0;
    if (plan.rdsSnapshot && input.scope !== 'SNAPSHOTS') {
      // SafeLock does not apply: AWS holds the snapshot, and nothing in it is locked by Haven.
      await control.updateJobStep({ ...job, step: `Deleting RDS snapshot ${plan.rdsSnapshot.snapshotIdentifier} in ${plan.rdsSnapshot.region}` });
      await rds.deleteRdsSnapshot({ orgId: input.orgId, snapshot: plan.rdsSnapshot });
    }
    if (input.scope !== 'SNAPSHOTS') {
      if (plan.repositorySnapshotIds.length > 0 && plan.storageTargetId) {
        await control.updateJobStep({ ...job, step: `Forgetting ${plan.repositorySnapshotIds.length} snapshots in the repository` });
        forgotten = await repository.forgetRepositorySnapshots({ orgId: input.orgId, storageTargetId: plan.storageTargetId, snapshotIds: plan.repositorySnapshotIds });
      }
      await control.removeRecoveryPoint(point);
    }
    if (release) return await finishRelease(control, job, input.recoveryPointId, plan.clusterName, plan.keptSnapshots ?? [], forgotten);
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
    // Recorded even when cancelled: the job must not stay RUNNING. A cancelled run is not the point's fault: no backoff.
    const backoff = await CancellationScope.nonCancellable(async () => {
      const deferred = cancelled ? null : await control.deferRecoveryPointDeletion(point);
      const retry = deferred ? `; retried after ${deferred.retryAt} (attempt ${deferred.attempts} failed)` : '';
      await control.finishJob({ ...job, status: cancelled ? 'CANCELLED' : 'FAILED', message: `Recovery point ${input.recoveryPointId} kept: ${reason}${retry}`, errors: [{ message: reason }] });
      return deferred;
    });
    if (cancelled) throw error;
    const details: DeletionFailureDetails = backoff ? { retryAt: backoff.retryAt } : {};
    throw ApplicationFailure.create({ message: reason, type: RECOVERY_POINT_DELETE_FAILED, nonRetryable: true, details: [details] });
  }
}

/** A release ends PARTIAL when it left kept snapshots: each is an error entry naming what to delete by hand. */
async function finishRelease(
  control: Pick<ControlActivities, 'finishJob'>,
  job: JobRef,
  recoveryPointId: string,
  clusterName: string,
  keptSnapshots: KeptSnapshot[],
  forgotten: number,
): Promise<RecoveryPointDeletionOutcome> {
  const left = keptSnapshots.length > 0 ? `; ${keptSnapshots.length} kept snapshots stay in cluster ${clusterName} for deletion by hand` : '';
  await control.finishJob({
    ...job,
    status: keptSnapshots.length > 0 ? 'PARTIAL' : 'COMPLETED',
    message: `Released recovery point ${recoveryPointId}: ${forgotten} repository snapshots forgotten${left}`,
    errors: keptSnapshots.map((snapshot) => ({ resource: `VolumeSnapshot ${snapshot.namespace}/${snapshot.snapshotName}`, message: `left in cluster ${clusterName}: delete ${describeKeptSnapshot(snapshot)} by hand` })),
  });
  return { status: 'RELEASED', jobId: job.jobId, keptSnapshots, repositorySnapshotsForgotten: forgotten };
}
