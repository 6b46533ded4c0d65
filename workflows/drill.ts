import { CancellationScope, executeChild, isCancellation, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { ClusterDrillActivities } from '../activities/cluster/drills/drill-activities.js';
import type { ClusterReplicationActivities } from '../activities/cluster/replication/replication-activities.js';
import type { ControlActivities } from '../activities/control/index.js';
import { clusterTaskQueue, CLUSTER_ID_ATTRIBUTE, DEFINITION_ID_ATTRIBUTE, KIND_ATTRIBUTE } from '../lib/common/temporal/names.js';
import type { DrillDifference } from '../lib/domain/drill-result.js';
import { drillRestoreWorkflowId, type DrillOutcome, type DrillRunInput } from '../lib/domain/runs/drill-run.js';
import type { RestoreOutcome, RestoreRunInput } from '../lib/domain/runs/restore-run.js';
import { CLUSTER_CALL, CONTROL, drillCheck, LEFTOVER_SWEEP } from './activity-profiles.js';
import { digestFilledVolumes, type FilledCopy } from './drill-volumes.js';
import { rootCauseMessage } from './failure-message.js';
import { restoreWorkflow } from './restore.js';
import { copyVolumes, type PointVolume } from './restore-volumes.js';

/** How long a previous drill's scratch namespaces may take to go before this drill gives up. */
const SCRATCH_RESET_TIMEOUT_SECONDS = 10 * 60;
/** A drill reads the repository only; resolving access still takes a retention (see restore.ts). */
const READ_ONLY = { days: 1, safeLock: false };
/** PV states of a restore that mean the volume holds the recovery point's data. */
const RESTORED_VOLUME_STATES = new Set(['BOUND', 'FILLED']);

function restoreInput(input: DrillRunInput, jobId: string, namespaces: string[]): RestoreRunInput {
  return {
    orgId: input.orgId,
    jobId,
    restoreId: input.drillId,
    restoreName: input.drillName,
    recoveryPointId: input.recoveryPointId,
    targetClusterId: input.targetClusterId,
    selection: { namespaces, resourceTypes: [], labels: '' },
    transforms: { namespacePrefix: input.namespacePrefix, namespaceSuffix: '', namespaceMapping: {}, storageClassMapping: {}, preserveNodePorts: false },
    // The scratch namespaces were created empty just before: nothing of anyone else's can be in them.
    existingResources: 'SKIP',
    persistentVolumes: input.persistentVolumes,
    postRestoreHookPhase: 'POST_RESTORE',
  };
}

/** What the restore itself says is not as in the recovery point: its failed objects and every PV not restored. */
function restoreDifferences(restored: RestoreOutcome, errors: { message: string; resource?: string }[]): DrillDifference[] {
  if (restored.status === 'SKIPPED') return [{ kind: 'RESTORE', subject: 'restore', message: `the restore was skipped: ${restored.reason}` }];
  const differences: DrillDifference[] = [];
  if (restored.status === 'PARTIAL') differences.push(...errors.map((e) => ({ kind: 'RESTORE' as const, subject: e.resource ?? 'restore', message: e.message })));
  for (const volume of restored.volumes ?? []) {
    if (!RESTORED_VOLUME_STATES.has(volume.state)) differences.push({ kind: 'VOLUME', subject: `${volume.namespace}/${volume.claim}`, message: `its data was not restored (${volume.state})` });
  }
  return differences;
}

/** The PVs the restore filled from their copies, where their copies are and where they were restored. */
function filledCopies(input: DrillRunInput, points: readonly PointVolume[], restored: RestoreOutcome): FilledCopy[] {
  if (restored.status === 'SKIPPED') return [];
  const filled = (restored.volumes ?? []).filter((v) => v.state === 'FILLED');
  return copyVolumes(points, [])
    .filter((copy) => filled.some((v) => v.namespace === copy.namespace && v.claim === copy.claim))
    .map((copy) => ({ ...copy, targetNamespace: `${input.namespacePrefix}${copy.namespace}` }));
}

/**
 * One restore drill. Reads as its steps: create the scratch namespaces empty (a namespace of that name
 * Haven did not create fails the drill, untouched) → restore the recovery point into them (a child
 * restore with a job of its own: every PV's data is read back and each chunk checked against its keyed
 * hash) → wait for the workloads to become ready and compare every restored object with the point's
 * resource tree → read every PV filled from a copy back in a mover pod and compare its digest with the
 * copy's in the repository → delete the scratch namespaces → PASSED with no difference, else FAILED listing them,
 * on the drill's job and on the recovery point. A drill that cannot restore at all is FAILED saying why.
 */
export async function drillWorkflow(input: DrillRunInput): Promise<DrillOutcome> {
  const control = proxyActivities<ControlActivities>(CONTROL);
  const taskQueue = clusterTaskQueue(input.targetClusterId);
  const agent = proxyActivities<ClusterReplicationActivities & ClusterDrillActivities>({ ...CLUSTER_CALL, taskQueue });
  const checker = proxyActivities<ClusterDrillActivities>({ ...drillCheck(input.readinessTimeoutMinutes), taskQueue });
  // Cleanup waits for an agent that is away, like the leftover sweep, rather than leave the copy running.
  const cleaner = proxyActivities<ClusterDrillActivities>({ ...LEFTOVER_SWEEP, taskQueue });
  const job = { orgId: input.orgId, jobId: input.jobId };
  const { workflowId } = workflowInfo();
  const differences: DrillDifference[] = [];
  const figures = { resourcesCompared: 0, volumesCompared: 0, volumesDigested: 0, workloadsReady: 0 };
  let copies: FilledCopy[] = [];
  let scratch: string[] = [];

  const cleanUp = async () => {
    if (scratch.length === 0) return;
    await control.updateJobStep({ ...job, step: 'Removing the scratch namespaces' });
    await cleaner.cleanUpDrillNamespaces({ version: 1, jobId: input.jobId, namespaces: scratch });
  };

  try {
    await control.updateJobStep({ ...job, step: 'Creating the scratch namespaces' });
    const source = await control.resolveRestoreSource({ orgId: input.orgId, recoveryPointId: input.recoveryPointId });
    const pairs = source.namespaces.map((namespace) => ({ source: namespace, target: `${input.namespacePrefix}${namespace}` }));
    // Known before they exist: a drill that stops from here on still removes whatever it created.
    scratch = pairs.map((p) => p.target);
    await agent.resetNamespaces({ version: 2, jobId: input.jobId, namespaces: scratch, replaceUnmanagedNamespaces: false, timeoutSeconds: SCRATCH_RESET_TIMEOUT_SECONDS });

    await control.updateJobStep({ ...job, step: 'Restoring the recovery point into the scratch namespaces' });
    const childId = drillRestoreWorkflowId(workflowId);
    const phase = await control.openPhaseJob({ ...job, phase: 'RESTORE', workflowId: childId, clusterId: input.targetClusterId, partOf: 'drill' });
    let restored = true;
    try {
      const outcome = await executeChild(restoreWorkflow, {
        workflowId: childId,
        typedSearchAttributes: [
          { key: CLUSTER_ID_ATTRIBUTE, value: input.targetClusterId },
          { key: DEFINITION_ID_ATTRIBUTE, value: input.drillId },
          { key: KIND_ATTRIBUTE, value: 'RESTORE' },
        ],
        args: [restoreInput(input, phase.jobId, source.namespaces)],
      });
      const ended = outcome.status === 'PARTIAL' ? await control.readPhaseJob({ orgId: input.orgId, jobId: phase.jobId }) : { errors: [] };
      figures.volumesCompared = outcome.status === 'SKIPPED' ? 0 : (outcome.volumes?.length ?? 0);
      differences.push(...restoreDifferences(outcome, ended.errors));
      copies = filledCopies(input, source.persistentVolumes, outcome);
    } catch (error) {
      if (isCancellation(error)) throw error;
      restored = false;
      differences.push({ kind: 'RESTORE', subject: 'restore', message: rootCauseMessage(error) });
    }

    if (restored) {
      await control.updateJobStep({ ...job, step: 'Waiting for the workloads and comparing the copy with the recovery point' });
      const repository = await control.resolveRepositoryAccess({ orgId: input.orgId, storageTargetId: source.storageTargetId, retention: READ_ONLY });
      const check = await checker.checkDrillCopy({
        version: 1,
        jobId: input.jobId,
        repository,
        resourcesSnapshotId: source.resourcesSnapshotId,
        namespaces: pairs,
        readinessTimeoutSeconds: input.readinessTimeoutMinutes * 60,
      });
      figures.resourcesCompared = check.resourcesCompared;
      figures.workloadsReady = check.workloadsReady;
      differences.push(...check.differences);

      if (copies.length > 0) {
        await control.updateJobStep({ ...job, step: `Reading ${copies.length} restored PV${copies.length === 1 ? '' : 's'} back and comparing their digests with the recovery point` });
        const digests = await digestFilledVolumes({ clusterId: input.targetClusterId, jobId: input.jobId, repository, options: input.persistentVolumes, copies });
        figures.volumesDigested = digests.digested;
        differences.push(...digests.differences);
      }
    }
  } catch (error) {
    if (isCancellation(error)) {
      await CancellationScope.nonCancellable(async () => {
        await cleanUp().catch(() => undefined);
        await control.finishJob({ ...job, status: 'CANCELLED', message: 'Cancelled on request' });
      });
      throw error;
    }
    differences.push({ kind: 'RESTORE', subject: 'drill', message: rootCauseMessage(error) });
  }

  try {
    await cleanUp();
  } catch (error) {
    differences.push({ kind: 'RESTORE', subject: 'cleanup', message: `the scratch namespaces ${scratch.join(', ')} could not be removed: ${rootCauseMessage(error)}` });
  }

  const result = differences.length === 0 ? 'PASSED' : 'FAILED';
  const compared = `${figures.resourcesCompared} resources and ${figures.volumesCompared} PVs compared (${figures.volumesDigested} by digest), ${figures.workloadsReady} workloads ready`;
  const first = differences[0];
  const message = first
    ? `Drill FAILED: ${differences.length} difference${differences.length === 1 ? '' : 's'} (${first.subject}: ${first.message}); ${compared}`
    : `Drill PASSED: ${compared}`;
  await control.recordDrillOutcome({
    ...job,
    message,
    outcome: { result, recoveryPointId: input.recoveryPointId, jobId: input.jobId, namespaces: scratch, ...figures, differences, endedAt: new Date().toISOString() },
  });
  return { result, differences: differences.length };
}
