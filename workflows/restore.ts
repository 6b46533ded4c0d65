import { ApplicationFailure, CancellationScope, isCancellation, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { ClusterRestoreActivities } from '../activities/cluster/restore/restore-from-repository.js';
import type { ClusterStorageClassActivities } from '../activities/cluster/restore/restore-from-repository-storage-classes.js';
import type { ClusterRestoreVolumeActivities } from '../activities/cluster/restore/restore-volume-activities.js';
import type { ControlActivities } from '../activities/control/index.js';
import { NamespaceMapping } from '../lib/domain/namespace-mapping.js';
import type { RestoreOutcome, RestoreRunInput } from '../lib/domain/runs/restore-run.js';
import type { RestoredClaim } from '../proto/agent/restore-volumes.js';
import { clusterTaskQueue } from '../lib/common/temporal/names.js';
import { CLUSTER_CALL, CONTROL, EXPORT } from './activity-profiles.js';
import { moverPodAgent } from './mover-pod.js';
import { failureOutput, rootCauseMessage } from './failure-message.js';
import { checkTarget, checkVolumesRestorable, restoredVolumes } from './restore-checks.js';
import { awaitSnapshotClaims, copiesToFill, releasableSources, restoreResourcesMessage, restoreResourcesRequest } from './restore-claims.js';
import { fillClaimsFromCopies } from './restore-copies.js';
import { runPostRestoreHooks } from './restore-hooks.js';
import { RESTORE_STEPS } from './restore-progress.js';
import { summarizeRestore } from './restore-summary.js';
import { RestoreTracker } from './restore-tracking.js';
import { markCreated, markProvisioned } from './restore-volumes.js';

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
  const job = { orgId: input.orgId, jobId: input.jobId };
  const track = new RestoreTracker((step) => control.updateJobStep({ ...job, step }));

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
    await track.enter('VALIDATING');
    await checkTarget(control, clusterAgent, input);
    const source = await control.resolveRestoreSource({ orgId: input.orgId, recoveryPointId: input.recoveryPointId });
    const volumes = restoredVolumes(source, input);
    track.volumes = volumes.planned;
    track.onVolumeChange();
    await checkVolumesRestorable(clusterAgent, input, source, volumes);

    const sourceNamespaces = input.selection.namespaces.length > 0 ? input.selection.namespaces : source.namespaces;
    const mapping = new NamespaceMapping(input.transforms, new Set(sourceNamespaces));
    // Known before the resources are written, so a run that stops while writing them still releases what it held.
    copyNamespaces = [...new Set(volumes.fromCopies.map((c) => mapping.target(c.namespace)))].sort();

    await track.enter('RESOLVING');
    const repository = await control.resolveRepositoryAccess({ orgId: input.orgId, storageTargetId: source.storageTargetId, retention: READ_ONLY });

    await track.enter('RESTORING_RESOURCES');
    const result = await agent.restoreResourcesFromRepository(restoreResourcesMessage(restoreResourcesRequest(input, source, repository, volumes)));
    track.showCounts(result.counts);
    const created = result.restoredClaims ?? [];
    const emptied = result.emptiedClaims ?? [];
    heldSources = [...created];
    moverJob = emptied.length > 0;
    markCreated(track.volumes, [...created, ...emptied]);
    track.onVolumeChange();

    // Mover pods fill the copied claims while the snapshot claims are provisioned.
    if (created.length + emptied.length > 0) await track.enter('RESTORING_VOLUMES');
    const fills = copiesToFill(emptied, volumes);
    const copying = fills.length > 0 ? fillClaimsFromCopies({ clusterId: input.targetClusterId, jobId: input.jobId, repository, options: input.persistentVolumes, fills }, track.onFillChange) : Promise.resolve();
    if (created.length > 0) {
      const claims = await awaitSnapshotClaims(taskQueue, created);
      markProvisioned(track.volumes, claims);
      track.onVolumeChange();
      await releaseSources(releasableSources(created, claims));
      heldSources = [];
    }
    await copying;
    if (moverJob) {
      await releaseHeld();
      await moverPodAgent(input.targetClusterId).cleanUpMoverJob({ version: 1, jobId: input.jobId, keepSnapshots: true });
      moverJob = false;
    }

    const [postRestoreHooks = []] = await control.resolveHooks({ orgId: input.orgId, definitionId: input.restoreId, phases: [input.postRestoreHookPhase] });
    if (postRestoreHooks.length > 0) {
      await track.enter('RUNNING_POST_HOOKS');
      await runPostRestoreHooks({ taskQueue, jobId: input.jobId, mapping, sourceNamespaces }, postRestoreHooks, track.onHookReport);
    }

    const summary = summarizeRestore(result, track.volumes, track.hookReports);
    await track.enter('COMPLETED', false);
    await control.finishJob({ ...job, status: summary.status, message: summary.message, ...(summary.errors.length > 0 ? { errors: summary.errors } : {}) });
    return { status: summary.status, counts: result.counts, volumes: track.volumes.map(({ namespace, claim, state }) => ({ namespace, claim, state })) };
  } catch (error) {
    const cleanUp = async () => {
      await releaseSources(heldSources).catch(() => undefined);
      // A run that stops must not leave the application scaled to nothing; the job says which PVs lack data.
      if (copyNamespaces.length > 0) await releaseHeld().catch(() => undefined);
      if (!moverJob) return;
      await moverPodAgent(input.targetClusterId).cleanUpMoverJob({ version: 1, jobId: input.jobId, keepSnapshots: true }).catch(() => undefined);
    };
    if (isCancellation(error)) {
      // The job must say so even though this scope is cancelled.
      await CancellationScope.nonCancellable(async () => {
        await cleanUp();
        await track.enter('CANCELLED', false);
        await control.finishJob({ ...job, status: 'CANCELLED', message: 'Cancelled on request' });
      });
      throw error;
    }
    const message = `${RESTORE_STEPS[track.progress.step]} failed: ${rootCauseMessage(error)}`;
    const output = failureOutput(error);
    await cleanUp();
    await track.enter('FAILED', false);
    await control.finishJob({ ...job, status: 'FAILED', message, errors: [{ message, ...output }] });
    throw ApplicationFailure.nonRetryable(message, RESTORE_FAILED, { workflowId: workflowInfo().workflowId, ...output });
  }
}
