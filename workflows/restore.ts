import { ApplicationFailure, CancellationScope, isCancellation, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { ClusterHookActivities } from '../activities/cluster/backup/run-backup-hook.js';
import { NamespaceMapping } from '../activities/cluster/restore/namespace-mapping.js';
import type { ClusterRestoreActivities } from '../activities/cluster/restore/restore-from-repository.js';
import type { ClusterStorageClassActivities } from '../activities/cluster/restore/restore-from-repository-storage-classes.js';
import type { ClusterRestoreVolumeActivities } from '../activities/cluster/restore/restore-volume-activities.js';
import type { ControlActivities } from '../activities/control/index.js';
import type { HookReportMessage } from '../proto/agent/index.js';
import type { RestoredClaim } from '../proto/agent/restore-volumes.js';
import { clusterTaskQueue } from '../services/common/temporal/names.js';
import { CLUSTER_CALL, CONTROL, EXPORT, HOOK, snapshotWait } from './activity-profiles.js';
import { runHooks } from './backup-hooks.js';
import { rootCauseMessage } from './failure-message.js';
import type { RestoreOutcome, RestoreRunInput } from './restore-input.js';
import { RESTORE_STEPS, restoreProgressQuery, type RestoreProgress, type RestoreStep, type RestoreVolumeProgress } from './restore-progress.js';
import { summarizeRestore } from './restore-summary.js';
import { DEFAULT_SNAPSHOT_PROVISIONING_TIMEOUT_MINUTES, markCreated, markProvisioned, plannedVolumes, snapshotVolumes } from './restore-volumes.js';

export { RESTORE_STEPS } from './restore-progress.js';

/** A failed run ends the workflow failed too, so the Temporal UI agrees with the job record. */
export const RESTORE_FAILED = 'RESTORE_FAILED';

/**
 * Reading the repository needs no retention: restores never write to it. Resolving access still takes
 * one (it is shared with backups, which do), and without SafeLock it sets nothing.
 */
const READ_ONLY = { days: 1, safeLock: false };

/**
 * One restore run. Reads as its steps: validate the target (its agent connected, remapped storage classes
 * present, snapshots restorable through the same CSI driver) → locate the recovery point and open access
 * to its storage target → restore the objects on the target's agent, claims of snapshotted PVs pointed at
 * their snapshots → wait for those claims to be provisioned, then drop the snapshot sources → post-restore
 * hooks in the restored namespaces → finish the job COMPLETED, or PARTIAL with every failed object, PV
 * and CONTINUE hook in the job's errors.
 */
export async function restoreWorkflow(input: RestoreRunInput): Promise<RestoreOutcome> {
  const control = proxyActivities<ControlActivities>(CONTROL);
  // Kubernetes work goes to the target cluster's agent only: its queue is the one it polls.
  const taskQueue = clusterTaskQueue(input.targetClusterId);
  const agent = proxyActivities<ClusterRestoreActivities>({ ...EXPORT, taskQueue });
  const clusterAgent = proxyActivities<ClusterStorageClassActivities & ClusterRestoreVolumeActivities>({ ...CLUSTER_CALL, taskQueue });
  const hooksAgent = proxyActivities<ClusterHookActivities>({ ...HOOK, taskQueue });
  const job = { orgId: input.orgId, jobId: input.jobId };

  let progress: RestoreProgress = { step: 'VALIDATING', description: RESTORE_STEPS.VALIDATING, stepStartedAt: new Date().toISOString() };
  setHandler(restoreProgressQuery, () => progress);
  const enter = async (step: RestoreStep, recordOnJob = true) => {
    progress = { ...progress, step, description: RESTORE_STEPS[step], stepStartedAt: new Date().toISOString() };
    if (recordOnJob) await control.updateJobStep({ ...job, step: RESTORE_STEPS[step] });
  };
  let volumes: RestoreVolumeProgress[] = [];
  const onVolumeChange = () => (progress = { ...progress, volumes: volumes.map((v) => ({ ...v })) });
  const hookReports: HookReportMessage[] = [];
  const onHookReport = (report: HookReportMessage) => {
    hookReports.push(report);
    progress = {
      ...progress,
      hooks: hookReports.map(({ hook, type, verdict, outcomes }) => ({ hook, type, verdict, pods: outcomes.filter((o) => o.status !== 'SKIPPED').map((o) => `${o.namespace}/${o.pod}`) })),
    };
  };
  // Snapshot sources this run created and has not released: released on every way out.
  let heldSources: RestoredClaim[] = [];
  const releaseSources = async (claims: RestoredClaim[]) => {
    if (claims.length === 0) return;
    await clusterAgent.releaseSnapshotSources({ version: 1, jobId: input.jobId, claims });
    heldSources = heldSources.filter((c) => !claims.includes(c));
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
    const source = await control.resolveRestoreSource({ orgId: input.orgId, recoveryPointId: input.recoveryPointId });
    const plan = await control.resolveRestorePlan({ orgId: input.orgId, restoreId: input.restoreId });
    const fromSnapshots = plan.persistentVolumes.include ? snapshotVolumes(source.persistentVolumes, input.selection.namespaces) : [];
    volumes = plannedVolumes(source.persistentVolumes.filter((v) => fromSnapshots.some((s) => s.namespace === v.namespace && s.claim === v.claim)), []);
    onVolumeChange();
    if (fromSnapshots.length > 0) {
      const { problems } = await clusterAgent.checkSnapshotRestore({ version: 1, storageClassMapping: input.transforms.storageClassMapping, volumes: fromSnapshots });
      if (problems.length > 0) throw ApplicationFailure.nonRetryable(`PVs cannot be restored from their snapshots: ${problems.join('; ')}`, 'SNAPSHOT_RESTORE_UNSUPPORTED');
    }

    await enter('RESOLVING');
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
      ...(fromSnapshots.length > 0 ? { snapshotVolumes: fromSnapshots } : {}),
    });
    progress = { ...progress, counts: result.counts };
    const created = result.restoredClaims ?? [];
    heldSources = [...created];
    markCreated(volumes, created);
    onVolumeChange();

    if (created.length > 0) {
      await enter('RESTORING_VOLUMES');
      const timeoutMs = DEFAULT_SNAPSHOT_PROVISIONING_TIMEOUT_MINUTES * 60_000;
      const { claims } = await proxyActivities<ClusterRestoreVolumeActivities>({ ...snapshotWait(timeoutMs), taskQueue }).awaitRestoredClaims({
        version: 1,
        claims: created,
        timeoutSeconds: timeoutMs / 1000,
      });
      markProvisioned(volumes, claims);
      onVolumeChange();
      // A claim still waiting for its first consumer needs its snapshot source until it is provisioned.
      const waiting = new Set(claims.filter((c) => c.state === 'WAITING_FOR_CONSUMER').map((c) => `${c.targetNamespace}/${c.claim}`));
      await releaseSources(created.filter((c) => !waiting.has(`${c.targetNamespace}/${c.claim}`)));
      heldSources = [];
    }

    if (plan.postRestoreHooks.length > 0) {
      await enter('RUNNING_POST_HOOKS');
      const sourceNamespaces = input.selection.namespaces.length > 0 ? input.selection.namespaces : source.namespaces;
      const mapping = new NamespaceMapping(input.transforms, new Set(sourceNamespaces));
      // Hooks act on the restored application: namespaces they name are renamed like the objects were.
      const hooks = plan.postRestoreHooks.map((hook) => ({ ...hook, namespaces: hook.namespaces.map((n) => mapping.target(n)) }));
      await runHooks(hooksAgent.runBackupHook, { jobId: input.jobId, runNamespaces: sourceNamespaces.map((n) => mapping.target(n)).sort() }, hooks, onHookReport);
    }

    const summary = summarizeRestore(result, volumes, hookReports);
    await enter('COMPLETED', false);
    await control.finishJob({ ...job, status: summary.status, message: summary.message, ...(summary.errors.length > 0 ? { errors: summary.errors } : {}) });
    return { status: summary.status, counts: result.counts, volumes: volumes.map(({ namespace, claim, state }) => ({ namespace, claim, state })) };
  } catch (error) {
    const cleanUp = () => releaseSources(heldSources).catch(() => undefined);
    if (isCancellation(error)) {
      // The job must say so even though this scope is cancelled.
      await CancellationScope.nonCancellable(async () => {
        await cleanUp();
        await enter('CANCELLED', false);
        await control.finishJob({ ...job, status: 'CANCELLED', message: 'Cancelled on request' });
      });
      throw error;
    }
    const message = `${RESTORE_STEPS[progress.step]} failed: ${rootCauseMessage(error)}`;
    await cleanUp();
    await enter('FAILED', false);
    await control.finishJob({ ...job, status: 'FAILED', message, errors: [{ message }] });
    throw ApplicationFailure.nonRetryable(message, RESTORE_FAILED, { workflowId: workflowInfo().workflowId });
  }
}
