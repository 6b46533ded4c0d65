import {
  ApplicationFailure,
  CancellationScope,
  defineSignal,
  isCancellation,
  log,
  proxyActivities,
  setHandler,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { ClusterBackupActivities } from '../activities/cluster/backup/export-to-repository.js';
import type { ClusterHookActivities } from '../activities/cluster/backup/run-backup-hook.js';
import type { ClusterSnapshotActivities } from '../activities/cluster/snapshots/snapshot-activities.js';
import type { ControlActivities } from '../activities/control/index.js';
import type { BackupVolume, ExportResourcesRequest, HookReportMessage, ScanBackupScopeResult } from '../proto/agent/index.js';
import { VOLUME_PROGRESS_SIGNAL, type VolumeProgress } from '../proto/mover/index.js';
import { clusterTaskQueue } from '../lib/common/temporal/names.js';
import { CLUSTER_CALL, CONTROL, EXPORT, HOOK, snapshotWait } from './activity-profiles.js';
import { runHooks } from './backup-hooks.js';
import type { BackupOutcome, BackupRunInput } from '../lib/domain/runs/backup-run.js';
import { BACKUP_STEPS, progressQuery, type BackupProgress, type BackupStep } from './backup-progress.js';
import { protectedVolumes, summarize } from './backup-summary.js';
import { awaitSnapshotsReady, cutSnapshots, isProtected, withRetainedContents, type SnapshotSteps, type VolumeOutcome } from './backup-volumes.js';
import { copyVolumes, type CopyRun, type VolumeCopy } from './backup-copy.js';
import { selectCopies, snapshottable, type CopySelection } from '../lib/domain/copy-selection.js';
import { copiedVolumes, copyTotals, summarizeCopy } from './backup-copy-summary.js';
import { dataMoverAgent } from './data-mover.js';
import { rootCauseMessage } from './failure-message.js';

/** Figures a mover reports while it copies; the workflow only shows them. */
export const volumeProgressSignal = defineSignal<[VolumeProgress]>(VOLUME_PROGRESS_SIGNAL);

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
  const control = proxyActivities<ControlActivities>(CONTROL);
  // Kubernetes work goes to this cluster's agent only: its queue is the one it polls.
  const taskQueue = clusterTaskQueue(input.clusterId);
  const agent = proxyActivities<ClusterBackupActivities>({ ...EXPORT, taskQueue });
  const hooksAgent = proxyActivities<ClusterHookActivities>({ ...HOOK, taskQueue });
  const clusterAgent = proxyActivities<ClusterSnapshotActivities>({ ...CLUSTER_CALL, taskQueue });
  const job = { orgId: input.orgId, jobId: input.jobId };

  let progress: BackupProgress = { step: 'CHECKING', description: BACKUP_STEPS.CHECKING, stepStartedAt: new Date().toISOString() };
  setHandler(progressQuery, () => progress);
  const enter = async (step: BackupStep, extra: Partial<BackupProgress> = {}, recordOnJob = true) => {
    progress = { ...progress, ...extra, step, description: BACKUP_STEPS[step], stepStartedAt: new Date().toISOString() };
    if (recordOnJob) await control.updateJobStep({ ...job, step: BACKUP_STEPS[step] });
  };
  const hookReports: HookReportMessage[] = [];
  const onHookReport = (report: HookReportMessage) => {
    hookReports.push(report);
    progress = { ...progress, hooks: hookReports.map(({ hook, type, verdict }) => ({ hook, type, verdict })) };
  };
  let volumes: VolumeOutcome[] = [];
  let copies: VolumeCopy[] = [];
  let copyMode = false;
  let recorded = false;
  const figures = new Map<string, { bytes: number; files: number }>();
  const onVolumeChange = () => {
    const copyOf = (v: BackupVolume) => copies.find((c) => c.volume.namespace === v.namespace && c.volume.claim === v.claim);
    const snapshotState = (o: VolumeOutcome) => (o.failure ? 'FAILED' : (o.state?.outcome ?? (o.snapshotName ? 'CREATED' : 'PENDING')));
    const tracked = [...copies.filter((c) => c.source !== 'SNAPSHOT').map((c) => c.volume), ...volumes.map((o) => o.volume)];
    progress = {
      ...progress,
      volumes: tracked.map((volume) => {
        const copy = copyOf(volume);
        const outcome = volumes.find((o) => o.volume === volume);
        const live = figures.get(`${volume.namespace}/${volume.claim}`);
        const done = copy?.result;
        return {
          namespace: volume.namespace,
          claim: volume.claim,
          state: copy && copy.state !== 'PENDING' ? copy.state : outcome ? snapshotState(outcome) : 'PENDING',
          ...(done ? { bytes: done.bytes, files: done.files } : live ? live : {}),
        };
      }),
    };
  };
  setHandler(volumeProgressSignal, (update) => {
    figures.set(`${update.namespace}/${update.claim}`, { bytes: update.bytes, files: update.files });
    onVolumeChange();
  });

  try {
    const skipReason =
      (await control.agentNotConnectedReason({ clusterId: input.clusterId })) ??
      (await control.alreadyRunningReason({ ...job, definitionId: input.definitionId }));
    if (skipReason) {
      await enter('SKIPPED', {}, false);
      await control.finishJob({ ...job, status: 'SKIPPED', skipReason, message: `Skipped: ${skipReason}` });
      return { status: 'SKIPPED', reason: skipReason };
    }
    const { plan } = input;
    const [preBackupHooks, postBackupHooks] = await control.resolveHooks({ orgId: input.orgId, definitionId: input.definitionId, phases: [plan.hookPhases.pre, plan.hookPhases.post] });
    const hooks = { preBackup: preBackupHooks ?? [], postBackup: postBackupHooks ?? [] };
    const snapshotOnly = plan.persistentVolumes.include && plan.persistentVolumes.mode === 'SNAPSHOT_ONLY';
    copyMode = plan.persistentVolumes.include && plan.persistentVolumes.mode === 'BACKUP_TO_OBJECT_STORAGE';
    const hasHooks = hooks.preBackup.length + hooks.postBackup.length > 0;

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

    // Copy-mode PVs wait for the data-mover step; until then only snapshot-only runs touch PVs.
    let runNamespaces: string[] = [];
    let unsupported: BackupVolume[] = [];
    let selection: CopySelection = { fromSnapshot: [], live: [], host: [], notBackedUp: [], skipped: [] };
    let podVolumes: ScanBackupScopeResult['podVolumes'] = [];
    if (snapshotOnly || copyMode || hasHooks) {
      await enter('SCANNING_VOLUMES');
      const scope = await clusterAgent.scanBackupScope({ version: 1, jobId: input.jobId, selection: input.selection });
      runNamespaces = scope.namespaces;
      if (snapshotOnly || copyMode) podVolumes = scope.podVolumes;
      const selected = snapshotOnly ? scope.volumes : [];
      unsupported = selected.filter((v) => !snapshottable(v));
      volumes = selected.filter(snapshottable).map((volume) => ({ volume }));
      if (copyMode) {
        selection = selectCopies(scope.volumes, plan.copy);
        volumes = selection.fromSnapshot.map((volume) => ({ volume }));
      }
    }
    const hookRun = { jobId: input.jobId, runNamespaces };
    const copyRun: CopyRun = { clusterId: input.clusterId, jobId: input.jobId, definitionId: input.definitionId, repository, plan: plan.copy };
    let moverIndex = 0;
    const liveCopies: VolumeCopy[] = [
      ...selection.live.map((volume): VolumeCopy => ({ volume, source: 'LIVE_CLAIM', moverIndex: moverIndex++, state: 'PENDING' })),
      ...selection.host.map((volume): VolumeCopy => ({ volume, source: 'HOST_VOLUME', moverIndex: moverIndex++, state: 'PENDING' })),
    ];
    copies = liveCopies;

    if (hooks.preBackup.length > 0) {
      await enter('RUNNING_PRE_HOOKS');
      await runHooks(hooksAgent.runBackupHook, hookRun, hooks.preBackup, onHookReport);
    }

    const timeoutMinutes = plan.csiSnapshotTimeoutMinutes;
    // Kept snapshots (the point itself, or preserved beside the copies) must outlive their namespace.
    const keepSnapshots = snapshotOnly || (copyMode && plan.copy.preserveSnapshots);
    const steps = snapshotSteps(clusterAgent, input, taskQueue, keepSnapshots);
    if (volumes.length > 0) {
      await enter('SNAPSHOTTING_VOLUMES');
      await cutSnapshots(steps, volumes, timeoutMinutes, onVolumeChange);
    }

    // Live reads are not a point in time: the application stays frozen until they are copied.
    if (liveCopies.length > 0) {
      await enter('COPYING_LIVE_VOLUMES');
      await copyVolumes(copyRun, liveCopies, onVolumeChange);
    }

    if (hooks.postBackup.length > 0) {
      await enter('RUNNING_POST_HOOKS');
      await runHooks(hooksAgent.runBackupHook, hookRun, hooks.postBackup, onHookReport);
    }

    if (volumes.length > 0) {
      await enter('AWAITING_SNAPSHOTS');
      await awaitSnapshotsReady(steps, volumes, timeoutMinutes, onVolumeChange);
      // A failed PV's snapshot is not part of the recovery point: it must not linger in the cluster.
      await deleteSnapshots(clusterAgent, volumes.filter((o) => !isProtected(o)));
      if (snapshotOnly && !volumes.some(isProtected)) {
        const reasons = volumes.map((o) => `${o.volume.namespace}/${o.volume.claim}: ${o.failure ?? 'not ready'}`).join('; ');
        throw ApplicationFailure.nonRetryable(`no PV could be snapshotted (${reasons})`, 'SNAPSHOTS_FAILED');
      }
    }

    if (copyMode) {
      const snapshotCopies: VolumeCopy[] = volumes.map((outcome) => ({
        volume: outcome.volume,
        source: 'SNAPSHOT',
        snapshot: outcome,
        moverIndex: moverIndex++,
        state: isProtected(outcome) ? 'PENDING' : 'FAILED',
        ...(isProtected(outcome) ? {} : { failure: outcome.failure ?? 'the snapshot did not become ready' }),
      }));
      copies = [...liveCopies, ...snapshotCopies];
      const pending = snapshotCopies.filter((c) => c.state === 'PENDING');
      if (pending.length > 0) {
        await enter('COPYING_VOLUMES');
        await copyVolumes(copyRun, pending, onVolumeChange);
      }
      if (copies.length > 0 && !copies.some((c) => c.state === 'COPIED')) {
        const reasons = copies.map((c) => `${c.volume.namespace}/${c.volume.claim}: ${c.failure ?? 'not copied'}`).join('; ');
        throw ApplicationFailure.nonRetryable(`no PV could be copied (${reasons})`, 'COPIES_FAILED');
      }
    }

    const summary = copyMode ? summarizeCopy(exported, selection, copies, hookReports, podVolumes) : summarize(exported, { outcomes: volumes, unsupported }, hookReports, podVolumes);
    const copied = copyTotals(copies);
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
      snapshotRetentionDays: copyMode && plan.copy.preserveSnapshots ? plan.copy.snapshotRetentionDays : null,
      resourcesSnapshotId: exported.snapshotId,
      namespaces: exported.namespaces,
      resourceCount: exported.resourceCount,
      sizeBytes: exported.bytes + copied.bytes,
      persistentVolumes: withRetainedContents(copyMode ? copiedVolumes(copies, plan.copy.preserveSnapshots) : protectedVolumes(volumes), volumes),
    });
    recorded = true;
    // Sweeps what the copies leave behind on success too: the mover credentials Secret, any stray pod.
    // The recovery point exists by now, so a sweep that fails is logged rather than failing the run.
    if (copyMode) {
      await dataMoverAgent(input.clusterId)
        .cleanUpMoverJob({ version: 1, jobId: input.jobId, keepSnapshots: true })
        .catch((error: unknown) => log.warn('could not sweep the data mover objects of this run', { error: String(error) }));
    }

    await enter('COMPLETED', { recoveryPointId: recoveryPoint.id }, false);
    await control.finishJob({
      ...job,
      status: summary.status,
      message: summary.message,
      bytesTransferred: exported.bytesStored + copied.newBytesStored,
      filesTransferred: exported.files + copied.files,
      ...(summary.errors.length > 0 ? { errors: summary.errors } : {}),
    });
    return { status: summary.status, recoveryPointId: recoveryPoint.id, resourceCount: exported.resourceCount };
  } catch (error) {
    // Snapshots are only kept as a recovery point; a run that records none must not leave them behind.
    // Copy runs clean up by label, so pods, temporary claims and snapshots are found even if this run lost track.
    const cleanUp = async () => {
      if (!recorded) await deleteSnapshots(clusterAgent, volumes).catch(() => undefined);
      if (copyMode) await dataMoverAgent(input.clusterId).cleanUpMoverJob({ version: 1, jobId: input.jobId, keepSnapshots: recorded }).catch(() => undefined);
    };
    if (isCancellation(error)) {
      // The job must say so even though this scope is cancelled.
      await CancellationScope.nonCancellable(async () => {
        await cleanUp();
        await enter('CANCELLED', {}, false);
        await control.finishJob({ ...job, status: 'CANCELLED', message: 'Cancelled on request' });
      });
      throw error;
    }
    const failedStep = BACKUP_STEPS[progress.step];
    const message = `${failedStep} failed: ${rootCauseMessage(error)}`;
    await cleanUp();
    await enter('FAILED', {}, false);
    await control.finishJob({ ...job, status: 'FAILED', message, errors: [{ message }] });
    throw ApplicationFailure.nonRetryable(message, BACKUP_FAILED, { workflowId: workflowInfo().workflowId });
  }
}

/** The snapshot steps on this run's agent; each wait gets activity bounds from its own remaining time. */
function snapshotSteps(clusterAgent: ClusterSnapshotActivities, input: BackupRunInput, taskQueue: string, retainContent: boolean): SnapshotSteps {
  return {
    create: async (volume) =>
      (
        await clusterAgent.createVolumeSnapshot({
          version: 1,
          jobId: input.jobId,
          definitionId: input.definitionId,
          namespace: volume.namespace,
          claim: volume.claim,
          snapshotClass: volume.snapshotClass ?? '',
        })
      ).snapshotName,
    wait: (namespace, snapshotName, until, timeoutMs) =>
      proxyActivities<ClusterSnapshotActivities>({ ...snapshotWait(timeoutMs), taskQueue }).awaitVolumeSnapshot({
        version: 1,
        namespace,
        snapshotName,
        until,
        timeoutSeconds: timeoutMs / 1000,
        ...(retainContent ? { retainContent } : {}),
      }),
    now: () => Date.now(),
  };
}

async function deleteSnapshots(clusterAgent: ClusterSnapshotActivities, outcomes: readonly VolumeOutcome[]): Promise<void> {
  await Promise.all(
    outcomes.flatMap((o) =>
      o.snapshotName
        ? [
            clusterAgent.deleteVolumeSnapshot({
              version: 1,
              namespace: o.volume.namespace,
              snapshotName: o.snapshotName,
              ...(o.state?.contentName ? { contentName: o.state.contentName } : {}),
            }),
          ]
        : [],
    ),
  );
}
