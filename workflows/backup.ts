import { ApplicationFailure, CancellationScope, isCancellation, log, patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { ClusterBackupActivities } from '../activities/cluster/backup/export-to-repository.js';
import type { ClusterHookActivities } from '../activities/cluster/backup/run-backup-hook.js';
import type { ClusterSnapshotActivities } from '../activities/cluster/snapshots/snapshot-activities.js';
import type { ControlActivities } from '../activities/control/index.js';
import { clusterTaskQueue } from '../lib/common/temporal/names.js';
import { repositorySnapshotIds } from '../lib/domain/recovery-point-contents.js';
import type { BackupOutcome, BackupRunInput } from '../lib/domain/runs/backup-run.js';
import { CLUSTER_CALL, CONTROL, EXPORT, HOOK, REPOSITORY_MAINTENANCE } from './activity-profiles.js';
import { liveCopies, requireACopy, snapshotCopies, type CopyRun } from './backup-copy.js';
import { runHooks } from './backup-hooks.js';
import { BACKUP_STEPS } from './backup-progress.js';
import { backupSummary, completedJob, recoveryPointRecord, type BackupResult } from './backup-recovery-point.js';
import { backupScope, nothingScanned, volumeMode, type VolumeMode } from './backup-scope.js';
import { deleteSnapshots, snapshotSteps } from './backup-snapshot-steps.js';
import { BackupTracker } from './backup-tracking.js';
import { batchedPhases, inlinePhases, VOLUME_BATCHES_PATCH } from './backup-volume-batches.js';
import { moverPodAgent } from './mover-pod.js';
import { failureOutput, rootCauseMessage } from './failure-message.js';

/** A failed run ends the workflow failed too, so the Temporal UI agrees with the job record. */
export const BACKUP_FAILED = 'BACKUP_FAILED';

/**
 * One backup run. Reads as its steps: skip checks → export resources → scan the selected claims →
 * pre-hooks → snapshot PVs (until each point in time is taken) → copy the PVs read live → post-hooks →
 * wait for the snapshots to be ready → copy the snapshots through data mover pods → record the recovery
 * point → complete the job. Pre-hooks run after the export, right before the snapshots: the application
 * is frozen only while the snapshots are cut (and live PVs copied), not while resources are read.
 * "Snapshot only" keeps the snapshots as the recovery point; "backup to object storage" copies each PV
 * into the repository and deletes the snapshots unless preserved.
 */
export async function backupWorkflow(input: BackupRunInput): Promise<BackupOutcome> {
  // Decided once, before the first command: a run keeps one shape for its whole history.
  const inBatches = patched(VOLUME_BATCHES_PATCH);
  const control = proxyActivities<ControlActivities>(CONTROL);
  // Kubernetes work goes to this cluster's agent only: its queue is the one it polls.
  const taskQueue = clusterTaskQueue(input.clusterId);
  const agent = proxyActivities<ClusterBackupActivities>({ ...EXPORT, taskQueue });
  const hooksAgent = proxyActivities<ClusterHookActivities>({ ...HOOK, taskQueue });
  const clusterAgent = proxyActivities<ClusterSnapshotActivities>({ ...CLUSTER_CALL, taskQueue });
  const job = { orgId: input.orgId, jobId: input.jobId };
  const { plan } = input;
  const maintenance = proxyActivities<ControlActivities>(REPOSITORY_MAINTENANCE);
  const track = new BackupTracker((step) => control.updateJobStep({ ...job, step }));
  // Snapshots of retried attempts, or of a run that records no point, would keep their data forever.
  const forgetRunSnapshots = (keep: string[]) =>
    maintenance
      .forgetRunSnapshots({ orgId: input.orgId, storageTargetId: input.storageTargetId, jobId: input.jobId, since: workflowInfo().startTime.toISOString(), keep })
      .catch((error: unknown) => log.warn('could not forget the repository snapshots this run left behind', { error: String(error) }));
  // Known once the hooks are resolved; until then a stopped run has nothing of its own to clean up.
  let mode: VolumeMode | undefined;
  let recorded = false;

  try {
    const skipReason =
      (await control.agentNotConnectedReason({ clusterId: input.clusterId })) ??
      (await control.alreadyRunningReason({ ...job, definitionId: input.definitionId }));
    if (skipReason) {
      await track.enter('SKIPPED', {}, false);
      await control.finishJob({ ...job, status: 'SKIPPED', skipReason, message: `Skipped: ${skipReason}` });
      return { status: 'SKIPPED', reason: skipReason };
    }
    const [preBackup = [], postBackup = []] = await control.resolveHooks({ orgId: input.orgId, definitionId: input.definitionId, phases: [plan.hookPhases.pre, plan.hookPhases.post] });
    mode = volumeMode(plan);

    await track.enter('EXPORTING_RESOURCES');
    const repository = await control.resolveRepositoryAccess({ orgId: input.orgId, storageTargetId: input.storageTargetId, retention: input.retention });
    const { jobId, clusterId, definitionId, selection } = input;
    const exported = await agent.exportResourcesToRepository({ version: 1, jobId, clusterId, definitionId, selection, repository });

    // Copy-mode PVs wait for the data-mover step; until then only snapshot-only runs touch PVs.
    let scope = nothingScanned();
    if (mode.snapshotOnly || mode.copyMode || preBackup.length + postBackup.length > 0) {
      await track.enter('SCANNING_VOLUMES');
      scope = backupScope(await clusterAgent.scanBackupScope({ version: 1, jobId, selection }), mode, plan.copy);
      track.volumes = scope.snapshots;
    }
    const hookRun = { jobId, runNamespaces: scope.runNamespaces };
    const copyRun: CopyRun = { clusterId, jobId, definitionId, repository, plan: plan.copy };
    const live = (track.copies = liveCopies(scope.selection));

    if (preBackup.length > 0) {
      await track.enter('RUNNING_PRE_HOOKS');
      await runHooks(hooksAgent.runBackupHook, hookRun, preBackup, track.onHookReport);
    }

    // Each PV's snapshot and copy, in batches of child workflows (or, for runs begun before them, here).
    const snapshotRun = { jobId, definitionId, clusterId, timeoutMinutes: plan.csiSnapshotTimeoutMinutes, retainContent: mode.keepSnapshots, snapshotOnly: mode.snapshotOnly };
    const phasesRun = { snapshots: snapshotRun, copies: copyRun, track };
    const pvs = inBatches ? batchedPhases(phasesRun) : inlinePhases(phasesRun, snapshotSteps(clusterAgent, input, taskQueue, mode.keepSnapshots), clusterAgent);
    if (track.volumes.length > 0) {
      await track.enter('SNAPSHOTTING_VOLUMES');
      await pvs.cut(track.volumes);
    }

    // Live reads are not a point in time: the application stays frozen until they are copied.
    if (live.length > 0) {
      await track.enter('COPYING_LIVE_VOLUMES');
      await pvs.copy(live);
    }

    if (postBackup.length > 0) {
      await track.enter('RUNNING_POST_HOOKS');
      await runHooks(hooksAgent.runBackupHook, hookRun, postBackup, track.onHookReport);
    }

    if (track.volumes.length > 0) {
      await track.enter('AWAITING_SNAPSHOTS');
      await pvs.settle(track.volumes);
    }

    if (mode.copyMode) {
      const fromSnapshots = snapshotCopies(track.volumes, live.length);
      track.copies = [...live, ...fromSnapshots];
      const pending = fromSnapshots.filter((c) => c.state === 'PENDING');
      if (pending.length > 0) {
        await track.enter('COPYING_VOLUMES');
        await pvs.copy(pending);
      }
      requireACopy(track.copies);
    }

    const result: BackupResult = { exported, mode, scope, volumes: track.volumes, copies: track.copies, hookReports: track.hookReports };
    await track.enter('RECORDING_RECOVERY_POINT', { resourceCount: exported.resourceCount });
    const record = recoveryPointRecord(input, result);
    // SafeLock covers everything the point needs (dedup reuses older, unlocked objects) before it is promised.
    const lock = input.retention.safeLock ? await maintenance.lockRecoveryPointData(record) : undefined;
    const recoveryPoint = await control.recordRecoveryPoint({ ...record, ...(lock ? { lockedUntil: lock.lockedUntil } : {}) });
    recorded = true;
    await forgetRunSnapshots(repositorySnapshotIds(record));
    // Sweeps what the copies leave behind on success too: the mover credentials Secret, any stray pod.
    // The recovery point exists by now, so a sweep that fails is logged rather than failing the run.
    if (mode.copyMode) {
      await moverPodAgent(clusterId)
        .cleanUpMoverJob({ version: 1, jobId, keepSnapshots: true })
        .catch((error: unknown) => log.warn('could not sweep the data mover objects of this run', { error: String(error) }));
    }

    const summary = backupSummary(result);
    await track.enter('COMPLETED', { recoveryPointId: recoveryPoint.id }, false);
    await control.finishJob(completedJob(job, summary, result));
    return { status: summary.status, recoveryPointId: recoveryPoint.id, resourceCount: exported.resourceCount };
  } catch (error) {
    // Snapshots are only kept as a recovery point; a run that records none must not leave them behind.
    // Copy runs clean up by label, so pods, temporary claims and snapshots are found even if this run lost track.
    const cleanUp = async () => {
      if (!recorded) await deleteSnapshots(clusterAgent, track.volumes).catch(() => undefined);
      if (!recorded && mode) await forgetRunSnapshots([]);
      if (mode?.copyMode) await moverPodAgent(input.clusterId).cleanUpMoverJob({ version: 1, jobId: input.jobId, keepSnapshots: recorded }).catch(() => undefined);
    };
    if (isCancellation(error)) {
      // The job must say so even though this scope is cancelled.
      await CancellationScope.nonCancellable(async () => {
        await cleanUp();
        await track.enter('CANCELLED', {}, false);
        await control.finishJob({ ...job, status: 'CANCELLED', message: 'Cancelled on request' });
      });
      throw error;
    }
    const message = `${BACKUP_STEPS[track.progress.step]} failed: ${rootCauseMessage(error)}`;
    const output = failureOutput(error);
    await cleanUp();
    await track.enter('FAILED', {}, false);
    await control.finishJob({ ...job, status: 'FAILED', message, errors: [{ message, ...output }] });
    throw ApplicationFailure.nonRetryable(message, BACKUP_FAILED, { workflowId: workflowInfo().workflowId, ...output });
  }
}
