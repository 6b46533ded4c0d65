import {
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  proxyActivities,
  setHandler,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { ClusterBackupActivities } from '../activities/cluster/backup/export-to-repository.js';
import type { ControlActivities } from '../activities/control/index.js';
import type { ExportResourcesRequest } from '../proto/agent/index.js';
import { clusterTaskQueue } from '../services/common/temporal/names.js';
import { CONTROL, EXPORT } from './activity-profiles.js';
import type { BackupOutcome, BackupRunInput } from './backup-input.js';
import { BACKUP_STEPS, progressQuery, type BackupProgress, type BackupStep } from './backup-progress.js';
import { rootCauseMessage } from './failure-message.js';

/** A failed run ends the workflow failed too, so the Temporal UI agrees with the job record. */
export const BACKUP_FAILED = 'BACKUP_FAILED';

/**
 * One backup run. Reads as its steps: skip checks → (pre-hooks) → export resources → (snapshot PVs →
 * post-hooks → copy PVs → clean up) → record the recovery point → complete the job. Steps in
 * parentheses are not built yet; they slot in where marked.
 */
export async function backupWorkflow(input: BackupRunInput): Promise<BackupOutcome> {
  const control = proxyActivities<ControlActivities>(CONTROL);
  // Kubernetes work goes to this cluster's agent only: its queue is the one it polls.
  const agent = proxyActivities<ClusterBackupActivities>({ ...EXPORT, taskQueue: clusterTaskQueue(input.clusterId) });
  const job = { orgId: input.orgId, jobId: input.jobId };

  let progress: BackupProgress = { step: 'CHECKING', description: BACKUP_STEPS.CHECKING, stepStartedAt: new Date().toISOString() };
  setHandler(progressQuery, () => progress);
  const enter = async (step: BackupStep, extra: Partial<BackupProgress> = {}, recordOnJob = true) => {
    progress = { ...progress, ...extra, step, description: BACKUP_STEPS[step], stepStartedAt: new Date().toISOString() };
    if (recordOnJob) await control.updateJobStep({ ...job, step: BACKUP_STEPS[step] });
  };

  try {
    const skipReason =
      (await control.agentNotConnectedReason({ clusterId: input.clusterId })) ??
      (await control.alreadyRunningReason({ ...job, definitionId: input.definitionId }));
    if (skipReason) {
      await enter('SKIPPED', {}, false);
      await control.finishJob({ ...job, status: 'SKIPPED', skipReason, message: `Skipped: ${skipReason}` });
      return { status: 'SKIPPED', reason: skipReason };
    }

    // Pre-hooks go here (before anything is read, so the application is quiesced for the snapshots).

    await enter('EXPORTING_RESOURCES');
    const repository = await control.resolveRepositoryAccess({ orgId: input.orgId, storageTargetId: input.storageTargetId, retention: input.retention });
    const request: ExportResourcesRequest = {
      version: 1,
      jobId: input.jobId,
      clusterId: input.clusterId,
      definitionId: input.definitionId,
      selection: input.selection,
      repository,
    };
    const exported = await agent.exportResourcesToRepository(request);

    // PV steps go here: snapshot (CSI, timeout) → post-hooks → copy through data movers → delete
    // temporary PVCs and unpreserved snapshots, each registering its undo for failure and cancel.

    await enter('RECORDING_RECOVERY_POINT', { resourceCount: exported.resourceCount });
    const recoveryPoint = await control.recordRecoveryPoint({
      recoveryPointId: uuid4(),
      orgId: input.orgId,
      jobId: input.jobId,
      type: input.recoveryPointType,
      clusterId: input.clusterId,
      definitionId: input.definitionId,
      definitionName: input.definitionName,
      storageTargetId: input.storageTargetId,
      retention: input.retention,
      resourcesSnapshotId: exported.snapshotId,
      namespaces: exported.namespaces,
      resourceCount: exported.resourceCount,
      sizeBytes: exported.bytes,
    });

    await enter('COMPLETED', { recoveryPointId: recoveryPoint.id }, false);
    await control.finishJob({
      ...job,
      status: 'COMPLETED',
      message: `Backed up ${exported.resourceCount} resources from ${exported.namespaces.length} namespaces`,
      bytesTransferred: exported.bytesStored,
      filesTransferred: exported.files,
    });
    return { status: 'COMPLETED', recoveryPointId: recoveryPoint.id, resourceCount: exported.resourceCount };
  } catch (error) {
    if (isCancellation(error)) {
      // The job must say so even though this scope is cancelled; cluster cleanup joins here with the PV steps.
      await CancellationScope.nonCancellable(async () => {
        await enter('CANCELLED', {}, false);
        await control.finishJob({ ...job, status: 'CANCELLED', message: 'Cancelled on request' });
      });
      throw error;
    }
    const failedStep = BACKUP_STEPS[progress.step];
    const message = `${failedStep} failed: ${rootCauseMessage(error)}`;
    await enter('FAILED', {}, false);
    await control.finishJob({ ...job, status: 'FAILED', message, errors: [{ message }] });
    throw ApplicationFailure.nonRetryable(message, BACKUP_FAILED, { workflowId: workflowInfo().workflowId });
  }
}
