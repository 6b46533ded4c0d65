import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobEnd } from '../../activities/control/jobs.js';
import type { ControlActivities } from '../../activities/control/index.js';
import type { DeletionStart } from '../../activities/control/recovery-point-deletion.js';
import type { RecoveryPointRecord } from '../../activities/control/recovery-points.js';
import type { PhaseJobStart } from '../../activities/control/replication-phases.js';
import type { HookPhase } from '../../lib/common/enums.js';
import { clusterTaskQueue } from '../../lib/common/temporal/names.js';
import type { BackupRunInput } from '../../lib/domain/runs/backup-run.js';
import type { ReplicationRunInput } from '../../lib/domain/runs/replication-run.js';
import type { RestoreRunInput } from '../../lib/domain/runs/restore-run.js';
import { WORKFLOW_TYPES } from '../../lib/domain/runs/workflow-types.js';
import type { ResetNamespacesRequest, RunHookRequest } from '../../proto/agent/index.js';
import type { replicationWorkflow } from '../../workflows/replication.js';
import { REPLICATION_STEPS } from '../../workflows/replication-progress.js';
import { backupPlan, DESTINATION, exported, hook, hookFailure, hookSucceeded, ORG, repository, SOURCE } from './helpers/fixtures.js';
import { CONTROL_QUEUE, failureMessage, failureType, inputsOf, startWorkflowHarness, type Mocks, type WorkflowHarness } from './helpers/workflow-env.js';

let harness: WorkflowHarness;
let jobs = 0;

beforeAll(async () => {
  harness = await startWorkflowHarness();
});
afterAll(async () => {
  await harness?.close();
});

function replicationInput(overrides: Partial<ReplicationRunInput> = {}): ReplicationRunInput {
  return {
    orgId: ORG,
    jobId: `replication-job-${++jobs}`,
    definitionId: 'replication-1',
    definitionName: 'shop to dr',
    sourceClusterId: SOURCE,
    destinationClusterId: DESTINATION,
    destinationNamespaces: ['shop'],
    // Not the default, so the reset's request can only have it from here.
    replaceUnmanagedNamespaces: true,
    storageTargetId: repository.storageTargetId,
    selection: { scope: 'SELECTED_NAMESPACES', namespaces: ['shop'], excludedNamespaces: [], resourceTypes: [], labels: { requirements: [] } },
    transforms: { namespacePrefix: '', namespaceSuffix: '', namespaceMapping: {}, storageClassMapping: {}, preserveNodePorts: false },
    // Distinct from any default, so the children's inputs can only have come from here.
    backupPlan: { ...backupPlan('BACKUP_TO_OBJECT_STORAGE', { concurrentPvs: 3, dataMoverMemoryLimitMiB: 768 }), hookPhases: { pre: 'SOURCE_PRE_BACKUP', post: 'SOURCE_POST_BACKUP' }, csiSnapshotTimeoutMinutes: 7 },
    restoreVolumes: { include: true, concurrentPvs: 4, totalConcurrentFiles: 9, dataMoverPodTimeoutMinutes: 11, dataMoverMemoryLimitMiB: 640 },
    ...overrides,
  };
}

/**
 * The control plane for the replication and its three children (they share the control queue): the
 * backup records its point, the restore reads it back with `backedUp` namespaces, the deletion removes it.
 */
function control(options: { offline?: Record<string, string>; backedUp?: string[] } = {}): Mocks<ControlActivities> {
  return {
    agentNotConnectedReason: async ({ clusterId }: { clusterId: string }) => options.offline?.[clusterId] ?? null,
    alreadyRunningReason: async () => null,
    updateJobStep: async () => undefined,
    finishJob: async () => undefined,
    openPhaseJob: async (start: PhaseJobStart) => ({ jobId: `${start.jobId}-${start.phase.toLowerCase()}` }),
    readPhaseJob: async () => ({ status: 'COMPLETED', message: 'done', errors: [], bytesTransferred: 10, filesTransferred: 1 }),
    resolveHooks: async ({ phases }: { phases: HookPhase[] }) => phases.map(() => []),
    resolveRepositoryAccess: async () => repository,
    recordRecoveryPoint: async (record: RecoveryPointRecord) => ({ id: record.recoveryPointId, expiresAt: '2030-01-01T00:00:00.000Z' }),
    resolveRestoreSource: async () => ({ storageTargetId: repository.storageTargetId, resourcesSnapshotId: exported.snapshotId, namespaces: options.backedUp ?? ['shop'], persistentVolumes: [] }),
    beginRecoveryPointDeletion: async (start: DeletionStart) => ({
      status: 'DELETE',
      job: { orgId: start.orgId, jobId: 'deletion-job' },
      clusterId: SOURCE,
      clusterName: 'a',
      storageTargetId: repository.storageTargetId,
      snapshots: [],
      repositorySnapshotIds: [exported.snapshotId],
    }),
    forgetRepositorySnapshots: async () => 1,
    removeRecoveryPoint: async () => undefined,
  };
}

/** The source's agent for the backup phase: resources only (the scope holds no claim). */
const sourceAgent = {
  exportResourcesToRepository: async () => exported,
  scanBackupScope: async () => ({ version: 1, namespaces: ['shop'], volumes: [], podVolumes: [] }),
  runBackupHook: async (request: RunHookRequest) => hookSucceeded(request.hook),
  cleanUpMoverJob: async () => ({ version: 1, deleted: [] }),
};

/** The destination's agent for the reset and the restore phase. */
const destinationAgent = {
  resetNamespaces: async () => ({ version: 1, deleted: ['shop'] }),
  missingStorageClasses: async () => ({ version: 1, missing: [] }),
  restoreResourcesFromRepository: async () => ({ version: 1, status: 'COMPLETED', counts: { CREATED: 5, UPDATED: 0, SKIPPED: 0, FAILED: 0 }, outcomes: [], outcomesOmitted: 0 }),
};

function runReplication(input: ReplicationRunInput, controlMocks: Mocks<ControlActivities>, source: Mocks<typeof sourceAgent> = sourceAgent) {
  return harness.run<typeof replicationWorkflow>(WORKFLOW_TYPES.replication, [input], {
    [CONTROL_QUEUE]: controlMocks,
    [clusterTaskQueue(SOURCE)]: source,
    [clusterTaskQueue(DESTINATION)]: destinationAgent,
  });
}

describe('replication workflow steps (mocked activities)', () => {
  it('a destination agent that is offline fails the run before the destination (or the source) is touched', async () => {
    const input = replicationInput();
    const offline = 'the agent of cluster cluster-b is not connected';
    const run = await runReplication(input, control({ offline: { [DESTINATION]: offline } }));

    const message = `${REPLICATION_STEPS.CHECKING} failed: destination cluster ${DESTINATION}: ${offline}`;
    expect(failureType(run.failure)).toBe('REPLICATION_FAILED');
    expect(failureMessage(run.failure)).toBe(message);
    expect(inputsOf<{ clusterId: string }>(run.calls, 'agentNotConnectedReason').map((r) => r.clusterId)).toEqual([SOURCE, DESTINATION]);
    // No phase opened, no call to either cluster, no point to remove.
    expect(run.calls.filter((c) => c.queue !== CONTROL_QUEUE)).toEqual([]);
    expect(run.calls.map((c) => c.name)).toEqual(['agentNotConnectedReason', 'alreadyRunningReason', 'agentNotConnectedReason', 'finishJob']);
    expect(inputsOf<JobEnd>(run.calls, 'finishJob')).toEqual([{ orgId: ORG, jobId: input.jobId, status: 'FAILED', message, errors: [{ message }] }]);
  });

  it('a destination namespace that is protected (a definition saved before the API refused it) fails the run before either cluster is touched', async () => {
    const input = replicationInput({ destinationNamespaces: ['shop', 'kube-system'] });
    const run = await runReplication(input, control());

    expect(failureType(run.failure)).toBe('REPLICATION_FAILED');
    expect(failureMessage(run.failure)).toContain('refusing to replace kube-system');
    expect(run.calls.filter((c) => c.queue !== CONTROL_QUEUE)).toEqual([]);
  });

  it('backs up with input.backupPlan, resets the destination, restores with input.restoreVolumes and DESTINATION_POST_RESTORE hooks, then removes the point', async () => {
    const input = replicationInput();
    const run = await runReplication(input, control());

    expect(run.failure).toBeUndefined();
    const backup = await harness.startInput<BackupRunInput>(`${run.workflowId}-backup`);
    expect(backup.plan).toEqual(input.backupPlan);
    expect(backup).toMatchObject({ jobId: `${input.jobId}-backup`, clusterId: SOURCE, recoveryPointType: 'COPY', retention: { days: 1, safeLock: false }, selection: input.selection });
    const restore = await harness.startInput<RestoreRunInput>(`${run.workflowId}-restore`);
    expect(restore.persistentVolumes).toEqual(input.restoreVolumes);
    expect(restore).toMatchObject({ postRestoreHookPhase: 'DESTINATION_POST_RESTORE', restoreId: input.definitionId, targetClusterId: DESTINATION, selection: { namespaces: ['shop'] } });
    // Each child read its hooks from the phases it was given.
    expect(inputsOf<{ phases: HookPhase[] }>(run.calls, 'resolveHooks').map((r) => r.phases)).toEqual([['SOURCE_PRE_BACKUP', 'SOURCE_POST_BACKUP'], ['DESTINATION_POST_RESTORE']]);

    const [record] = inputsOf<RecoveryPointRecord>(run.calls, 'recordRecoveryPoint');
    expect(run.result).toEqual({ status: 'COMPLETED', recoveryPointId: record?.recoveryPointId, namespaces: ['shop'] });
    // Source first, then the destination is reset before anything is restored into it, then the point goes.
    const order = run.calls.map((c) => c.name).filter((n) => ['exportResourcesToRepository', 'recordRecoveryPoint', 'resetNamespaces', 'restoreResourcesFromRepository', 'beginRecoveryPointDeletion', 'removeRecoveryPoint'].includes(n));
    expect(order).toEqual(['exportResourcesToRepository', 'recordRecoveryPoint', 'resetNamespaces', 'restoreResourcesFromRepository', 'beginRecoveryPointDeletion', 'removeRecoveryPoint']);
    expect(inputsOf<ResetNamespacesRequest>(run.calls, 'resetNamespaces')).toEqual([{ version: 2, jobId: input.jobId, namespaces: ['shop'], replaceUnmanagedNamespaces: true, timeoutSeconds: 600 }]);
    expect(inputsOf<DeletionStart>(run.calls, 'beginRecoveryPointDeletion')[0]).toMatchObject({ recoveryPointId: record?.recoveryPointId, scope: 'ALL' });
    expect(inputsOf<JobEnd>(run.calls, 'finishJob').find((e) => e.jobId === input.jobId)?.status).toBe('COMPLETED');
  });

  it('a source hook that fails stops the run; the replication\'s job carries its stderr excerpt apart from the message, as its backup phase does', async () => {
    const input = replicationInput();
    const freeze = hook('freeze', 'PRE_BACKUP');
    const hooked = { ...control(), resolveHooks: async ({ phases }: { phases: HookPhase[] }) => phases.map((phase) => (phase === 'SOURCE_PRE_BACKUP' ? [freeze] : [])) };
    const failing = { ...sourceAgent, runBackupHook: async () => Promise.reject(hookFailure(freeze, 'freeze failed', 'mysql -uapp -phunter2\n')) };
    const run = await runReplication(input, hooked, failing);

    expect(failureType(run.failure)).toBe('REPLICATION_FAILED');
    const message = failureMessage(run.failure);
    expect(message).toMatch(/^Backing up .*PRE_BACKUP hook "freeze" in pod .* exited with code 3$/);
    const ends = inputsOf<JobEnd>(run.calls, 'finishJob');
    expect(ends.find((e) => e.jobId === `${input.jobId}-backup`)?.errors).toEqual([{ message: expect.stringContaining('exited with code 3'), output: 'mysql -uapp -phunter2' }]);
    expect(ends.find((e) => e.jobId === input.jobId)?.errors).toEqual([{ message, output: 'mysql -uapp -phunter2' }]);
  });

  it('a backup with no namespace landing in a destination namespace fails at the reset step without calling resetNamespaces', async () => {
    const input = replicationInput({ destinationNamespaces: ['shop-replica'] });
    const run = await runReplication(input, control({ backedUp: ['shop'] }));

    expect(failureType(run.failure)).toBe('REPLICATION_FAILED');
    const message = failureMessage(run.failure);
    expect(message).toBe(
      `${REPLICATION_STEPS.RESETTING_NAMESPACES} failed: no backed-up namespace lands in a destination namespace (shop → shop); list the renamed names as destination namespaces`,
    );
    // The backup ran; nothing reached the destination; the temporary point was removed.
    expect(run.calls.map((c) => c.name)).toContain('recordRecoveryPoint');
    expect(run.calls.filter((c) => c.queue === clusterTaskQueue(DESTINATION))).toEqual([]);
    expect(inputsOf<PhaseJobStart>(run.calls, 'openPhaseJob').map((p) => p.phase)).toEqual(['BACKUP']);
    expect(run.calls.map((c) => c.name)).toContain('removeRecoveryPoint');
    expect(inputsOf<JobEnd>(run.calls, 'finishJob').find((e) => e.jobId === input.jobId)).toEqual({ orgId: ORG, jobId: input.jobId, status: 'FAILED', message, errors: [{ message }] });
  });
});
