import { ApplicationFailure, CancellationScope, executeChild, isCancellation, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { ClusterReplicationActivities } from '../activities/cluster/replication/replication-activities.js';
import type { ControlActivities } from '../activities/control/index.js';
import { clusterTaskQueue } from '../lib/common/temporal/names.js';
import { isProtectedNamespace, PROTECTED_NAMESPACES_RULE } from '../lib/domain/protected-namespaces.js';
import type { ReplicationOutcome, ReplicationRunInput } from '../lib/domain/runs/replication-run.js';
import { CONTROL, snapshotWait } from './activity-profiles.js';
import { backupWorkflow } from './backup.js';
import { failureOutput, rootCauseMessage } from './failure-message.js';
import { replicaNamespaces } from './replication-namespaces.js';
import { backupPhaseInput, openPhase, removeTemporaryPoint, restorePhaseInput } from './replication-phases.js';
import { REPLICATION_STEPS, replicationProgressQuery, type ReplicationProgress, type ReplicationStep } from './replication-progress.js';
import { summarizeReplication } from './replication-summary.js';
import { restoreWorkflow } from './restore.js';

/** A failed run ends the workflow failed too, so the Temporal UI agrees with the job record. */
export const REPLICATION_FAILED = 'REPLICATION_FAILED';

/** How long the destination namespaces may take to terminate (pods' grace periods, finalizers). */
export const DEFAULT_NAMESPACE_DELETION_TIMEOUT_MINUTES = 10;

/**
 * One replication run. Reads as its steps: skip checks (source agent, the same replication running),
 * the destination agent connected (else FAILED, before anything is touched) → back up the source into
 * the temporary storage (the backup workflow as a child, with the source hooks and copy options; PV data
 * always by copy) → delete and re-create the destination namespaces → restore into them (the restore
 * workflow as a child, with the transforms and the destination post-restore hooks) → delete the
 * temporary recovery point (the recovery-point deletion workflow as a child) → sum the phases up on the
 * job. A run that fails or is cancelled after the backup deletes the temporary point too. The destination is touched only after the backup succeeded, so a run that fails early
 * leaves the last replica as it was.
 */
export async function replicationWorkflow(input: ReplicationRunInput): Promise<ReplicationOutcome> {
  const control = proxyActivities<ControlActivities>(CONTROL);
  const destination = proxyActivities<ClusterReplicationActivities>({
    ...snapshotWait(DEFAULT_NAMESPACE_DELETION_TIMEOUT_MINUTES * 60_000),
    taskQueue: clusterTaskQueue(input.destinationClusterId),
  });
  const job = { orgId: input.orgId, jobId: input.jobId };
  const { workflowId } = workflowInfo();

  let progress: ReplicationProgress = { step: 'CHECKING', description: REPLICATION_STEPS.CHECKING, stepStartedAt: new Date().toISOString() };
  setHandler(replicationProgressQuery, () => progress);
  const enter = async (step: ReplicationStep, extra: Partial<ReplicationProgress> = {}, recordOnJob = true) => {
    progress = { ...progress, ...extra, step, description: REPLICATION_STEPS[step], stepStartedAt: new Date().toISOString() };
    if (recordOnJob) await control.updateJobStep({ ...job, step: REPLICATION_STEPS[step] });
  };
  // Made by the backup phase; every way out of the run removes it.
  let recoveryPointId: string | undefined;

  try {
    const skipReason =
      (await control.agentNotConnectedReason({ clusterId: input.sourceClusterId })) ??
      (await control.alreadyRunningReason({ ...job, definitionId: input.definitionId }));
    if (skipReason) {
      await enter('SKIPPED', {}, false);
      await control.finishJob({ ...job, status: 'SKIPPED', skipReason, message: `Skipped: ${skipReason}` });
      return { status: 'SKIPPED', reason: skipReason };
    }
    const destinationOffline = await control.agentNotConnectedReason({ clusterId: input.destinationClusterId });
    if (destinationOffline) throw ApplicationFailure.nonRetryable(`destination cluster ${input.destinationClusterId}: ${destinationOffline}`, 'AGENT_NOT_CONNECTED');
    // The API refuses these at definition time; checked here too (a definition saved before that rule), so no
    // agent, however old, is ever told to delete one.
    const protectedOnes = input.destinationNamespaces.filter(isProtectedNamespace);
    if (protectedOnes.length > 0) throw ApplicationFailure.nonRetryable(`refusing to replace ${protectedOnes.join(', ')}: ${PROTECTED_NAMESPACES_RULE}`, 'PROTECTED_NAMESPACE');

    const backupPhase = await openPhase(control, input, workflowId, 'BACKUP', input.sourceClusterId);
    await enter('BACKING_UP', { backup: { workflowId: backupPhase.childId, jobId: backupPhase.jobId } });
    const backup = await executeChild(backupWorkflow, {
      workflowId: backupPhase.childId,
      typedSearchAttributes: backupPhase.searchAttributes,
      args: [backupPhaseInput(input, backupPhase.jobId)],
    });
    if (backup.status === 'SKIPPED') throw ApplicationFailure.nonRetryable(`the backup was skipped: ${backup.reason}`, 'BACKUP_SKIPPED');
    recoveryPointId = backup.recoveryPointId;
    const backedUp = await control.resolveRestoreSource({ orgId: input.orgId, recoveryPointId });
    const namespaces = replicaNamespaces(backedUp.namespaces, input.transforms, input.destinationNamespaces);
    progress = { ...progress, backup: { ...progress.backup!, status: backup.status }, temporaryRecoveryPointId: recoveryPointId, namespaces: namespaces.mapping };

    await enter('RESETTING_NAMESPACES');
    // Checked before any namespace is deleted: a replica with nothing to land in must not wipe the last one.
    if (Object.keys(namespaces.mapping).length === 0) {
      const lands = namespaces.outside.map((o) => `${o.namespace} → ${o.target}`).join(', ') || 'the backup holds no namespace';
      throw ApplicationFailure.nonRetryable(
        `no backed-up namespace lands in a destination namespace (${lands}); list the renamed names as destination namespaces`,
        'NO_REPLICA_NAMESPACE',
      );
    }
    await destination.resetNamespaces({
      version: 2,
      jobId: input.jobId,
      namespaces: input.destinationNamespaces,
      replaceUnmanagedNamespaces: input.replaceUnmanagedNamespaces === true,
      timeoutSeconds: DEFAULT_NAMESPACE_DELETION_TIMEOUT_MINUTES * 60,
    });

    const restorePhase = await openPhase(control, input, workflowId, 'RESTORE', input.destinationClusterId);
    await enter('RESTORING', { restore: { workflowId: restorePhase.childId, jobId: restorePhase.jobId } });
    const restore = await executeChild(restoreWorkflow, {
      workflowId: restorePhase.childId,
      typedSearchAttributes: restorePhase.searchAttributes,
      args: [restorePhaseInput(input, restorePhase.jobId, recoveryPointId, namespaces)],
    });
    progress = { ...progress, restore: { ...progress.restore!, status: restore.status } };

    await enter('REMOVING_TEMPORARY_POINT');
    const notRemoved = await removeTemporaryPoint(input.orgId, recoveryPointId);
    const summary = summarizeReplication(
      await control.readPhaseJob({ orgId: input.orgId, jobId: backupPhase.jobId }),
      await control.readPhaseJob({ orgId: input.orgId, jobId: restorePhase.jobId }),
      namespaces,
      notRemoved,
    );
    await enter('COMPLETED', {}, false);
    await control.finishJob({
      ...job,
      status: summary.status,
      message: summary.message,
      bytesTransferred: summary.bytesTransferred,
      filesTransferred: summary.filesTransferred,
      ...(summary.errors.length > 0 ? { errors: summary.errors } : {}),
    });
    return { status: summary.status, recoveryPointId, namespaces: Object.values(namespaces.mapping) };
  } catch (error) {
    // The children clean up after themselves (their own cancellation or failure handling) before this
    // runs; what is left is the temporary point, if the backup made one.
    if (isCancellation(error)) {
      await CancellationScope.nonCancellable(async () => {
        const during = REPLICATION_STEPS[progress.step].toLowerCase();
        await removeTemporaryPoint(input.orgId, recoveryPointId);
        await enter('CANCELLED', {}, false);
        await control.finishJob({ ...job, status: 'CANCELLED', message: `Cancelled on request while ${during}` });
      });
      throw error;
    }
    const message = `${REPLICATION_STEPS[progress.step]} failed: ${rootCauseMessage(error)}`;
    const output = failureOutput(error);
    const notRemoved = progress.step === 'REMOVING_TEMPORARY_POINT' ? null : await removeTemporaryPoint(input.orgId, recoveryPointId);
    await enter('FAILED', {}, false);
    await control.finishJob({ ...job, status: 'FAILED', message, errors: [{ message, ...output }, ...(notRemoved ? [{ message: notRemoved }] : [])] });
    throw ApplicationFailure.nonRetryable(message, REPLICATION_FAILED, { workflowId, ...output });
  }
}
