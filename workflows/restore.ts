import { ApplicationFailure, CancellationScope, isCancellation, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { ClusterHookActivities } from '../activities/cluster/backup/run-backup-hook.js';
import { NamespaceMapping } from '../lib/domain/namespace-mapping.js';
import type { ClusterRestoreActivities } from '../activities/cluster/restore/restore-from-repository.js';
import type { ClusterStorageClassActivities } from '../activities/cluster/restore/restore-from-repository-storage-classes.js';
import type { ClusterRestoreVolumeActivities } from '../activities/cluster/restore/restore-volume-activities.js';
import type { ControlActivities } from '../activities/control/index.js';
import type { HookReportMessage } from '../proto/agent/index.js';
import type { RestoredClaim } from '../proto/agent/restore-volumes.js';
import { clusterTaskQueue } from '../lib/common/temporal/names.js';
import { CLUSTER_CALL, CONTROL, EXPORT, HOOK, snapshotWait } from './activity-profiles.js';
import { runHooks } from './backup-hooks.js';
import { rootCauseMessage } from './failure-message.js';
import type { RestoreOutcome, RestoreRunInput } from '../lib/domain/runs/restore-run.js';
import { RESTORE_STEPS, restoreProgressQuery, type RestoreProgress, type RestoreStep, type RestoreVolumeProgress } from './restore-progress.js';
import { summarizeRestore } from './restore-summary.js';
import { dataMoverAgent } from './data-mover.js';
import { fillClaimsFromCopies, type CopyToFill } from './restore-copies.js';
import { copyVolumes, DEFAULT_SNAPSHOT_PROVISIONING_TIMEOUT_MINUTES, markCreated, markProvisioned, plannedVolumes, snapshotVolumes, type PointVolume } from './restore-volumes.js';

export { RESTORE_STEPS } from './restore-progress.js';

/** A failed run ends the workflow failed too, so the Temporal UI agrees with the job record. */
export const RESTORE_FAILED = 'RESTORE_FAILED';

/**
 * Reading the repository needs no retention: restores never write to it. Resolving access still takes
 * one (it is shared with backups, which do), and without SafeLock it sets nothing.
 */
const READ_ONLY = { days: 1, safeLock: false };

/** How long post-restore hooks wait for the restored workloads they act on to be ready; then they run in what is. */
export const DEFAULT_HOOK_TARGETS_TIMEOUT_MINUTES = 10;

/**
 * One restore run. Reads as its steps: validate the target (its agent connected, remapped storage classes
 * present, snapshots restorable through the same CSI driver) → locate the recovery point and open access
 * to its storage target → restore the objects on the target's agent, claims of snapshotted PVs pointed at
 * their snapshots, claims of copied PVs created empty → wait for the snapshot claims to be provisioned
 * (then drop their snapshot sources) while mover pods fill the copied ones → wait for the workloads the
 * post-restore hooks select, run them in the restored namespaces → finish the job COMPLETED, or PARTIAL
 * with every failed object, PV and CONTINUE hook in the job's errors.
 *
 * Copied PVs are filled after the resources are written (the claims are new, provisioned on the mover
 * pod's first mount), but no pod of the application may start on an empty volume and, say, initialize a
 * fresh database there: the Deployments and StatefulSets that mount a copied claim are created with no
 * replicas and get them back once every copy is in (or the run stops). Velero's file-system restore
 * blocks pods with an init container instead, which needs its image in every cluster.
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
  // Snapshot sources this run created and has not released, and mover pods' leftovers: cleaned on every way out.
  let heldSources: RestoredClaim[] = [];
  let moverJob = false;
  let copyNamespaces: string[] = [];
  const releaseHeld = () => clusterAgent.releaseHeldWorkloads({ version: 1, jobId: input.jobId, namespaces: copyNamespaces });
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
    const points: PointVolume[] = source.persistentVolumes;
    const fromSnapshots = input.persistentVolumes.include ? snapshotVolumes(points, input.selection.namespaces) : [];
    const fromCopies = input.persistentVolumes.include ? copyVolumes(points, input.selection.namespaces) : [];
    const brought = [...fromSnapshots, ...fromCopies];
    volumes = plannedVolumes(points.filter((v) => brought.some((b) => b.namespace === v.namespace && b.claim === v.claim)), []);
    onVolumeChange();
    // A copy goes into any class, but the one it lands in must exist or its claim stays Pending forever.
    const copyClasses = [...new Set(points.filter((v) => fromCopies.some((c) => c.claim === v.claim && c.namespace === v.namespace)).map((v) => input.transforms.storageClassMapping[v.storageClass] ?? v.storageClass))];
    const noClass = (await clusterAgent.missingStorageClasses({ version: 1, storageClasses: copyClasses.filter(Boolean) })).missing;
    if (noClass.length > 0) {
      throw ApplicationFailure.nonRetryable(`the target cluster has no storage class ${noClass.map((m) => `"${m}"`).join(', ')} for the copied PVs: remap it to one of the target's classes`, 'STORAGE_CLASS_MISSING');
    }
    if (fromSnapshots.length > 0) {
      const { problems } = await clusterAgent.checkSnapshotRestore({ version: 1, storageClassMapping: input.transforms.storageClassMapping, volumes: fromSnapshots });
      if (problems.length > 0) throw ApplicationFailure.nonRetryable(`PVs cannot be restored from their snapshots: ${problems.join('; ')}`, 'SNAPSHOT_RESTORE_UNSUPPORTED');
    }

    const sourceNamespaces = input.selection.namespaces.length > 0 ? input.selection.namespaces : source.namespaces;
    const mapping = new NamespaceMapping(input.transforms, new Set(sourceNamespaces));
    // Known before the resources are written, so a run that stops while writing them still releases what it held.
    copyNamespaces = [...new Set(fromCopies.map((c) => mapping.target(c.namespace)))].sort();

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
      ...(fromCopies.length > 0 ? { copyVolumes: fromCopies.map(({ namespace, claim }) => ({ namespace, claim })) } : {}),
    });
    progress = { ...progress, counts: result.counts };
    const created = result.restoredClaims ?? [];
    const emptied = result.emptiedClaims ?? [];
    heldSources = [...created];
    moverJob = emptied.length > 0;
    markCreated(volumes, [...created, ...emptied]);
    onVolumeChange();

    if (created.length + emptied.length > 0) await enter('RESTORING_VOLUMES');
    const fills: CopyToFill[] = emptied.map((claim) => ({ claim, copy: fromCopies.find((c) => c.namespace === claim.namespace && c.claim === claim.claim)! }));
    const setFillState = (fill: CopyToFill, state: RestoreVolumeProgress['state'], reason?: string) => {
      const volume = volumes.find((v) => v.namespace === fill.claim.namespace && v.claim === fill.claim.claim);
      if (volume) Object.assign(volume, { state, ...(reason ? { reason } : {}) });
      onVolumeChange();
    };
    const copying = fills.length > 0 ? fillClaimsFromCopies({ clusterId: input.targetClusterId, jobId: input.jobId, repository, options: input.persistentVolumes, fills }, setFillState) : Promise.resolve();
    if (created.length > 0) {
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
    await copying;
    if (moverJob) {
      await releaseHeld();
      await dataMoverAgent(input.targetClusterId).cleanUpMoverJob({ version: 1, jobId: input.jobId, keepSnapshots: true });
      moverJob = false;
    }

    const [postRestoreHooks = []] = await control.resolveHooks({ orgId: input.orgId, definitionId: input.restoreId, phases: [input.postRestoreHookPhase] });
    if (postRestoreHooks.length > 0) {
      await enter('RUNNING_POST_HOOKS');
      // Hooks act on the restored application: namespaces they name are renamed like the objects were.
      const hooks = postRestoreHooks.map((hook) => ({ ...hook, namespaces: hook.namespaces.map((n) => mapping.target(n)) }));
      const runNamespaces = sourceNamespaces.map((n) => mapping.target(n)).sort();
      const timeoutMs = DEFAULT_HOOK_TARGETS_TIMEOUT_MINUTES * 60_000;
      await proxyActivities<ClusterRestoreVolumeActivities>({ ...snapshotWait(timeoutMs), taskQueue }).awaitHookTargets({ version: 1, hooks, runNamespaces, timeoutSeconds: timeoutMs / 1000 });
      await runHooks(hooksAgent.runBackupHook, { jobId: input.jobId, runNamespaces }, hooks, onHookReport);
    }

    const summary = summarizeRestore(result, volumes, hookReports);
    await enter('COMPLETED', false);
    await control.finishJob({ ...job, status: summary.status, message: summary.message, ...(summary.errors.length > 0 ? { errors: summary.errors } : {}) });
    return { status: summary.status, counts: result.counts, volumes: volumes.map(({ namespace, claim, state }) => ({ namespace, claim, state })) };
  } catch (error) {
    const cleanUp = async () => {
      await releaseSources(heldSources).catch(() => undefined);
      // A run that stops must not leave the application scaled to nothing; the job says which PVs lack data.
      if (copyNamespaces.length > 0) await releaseHeld().catch(() => undefined);
      if (!moverJob) return;
      await dataMoverAgent(input.targetClusterId).cleanUpMoverJob({ version: 1, jobId: input.jobId, keepSnapshots: true }).catch(() => undefined);
    };
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
