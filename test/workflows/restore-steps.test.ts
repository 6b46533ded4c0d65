import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterHookActivities } from '../../activities/cluster/backup/run-backup-hook.js';
import type { ClusterRestoreActivities } from '../../activities/cluster/restore/restore-from-repository.js';
import type { ClusterStorageClassActivities } from '../../activities/cluster/restore/restore-from-repository-storage-classes.js';
import type { ClusterRestoreVolumeActivities } from '../../activities/cluster/restore/restore-volume-activities.js';
import type { JobEnd, JobStepUpdate } from '../../activities/control/jobs.js';
import type { ControlActivities } from '../../activities/control/index.js';
import type { RestoreSource } from '../../activities/control/restore-source.js';
import type { HookPhase } from '../../lib/common/enums.js';
import { clusterTaskQueue } from '../../lib/common/temporal/names.js';
import type { RestoreRunInput } from '../../lib/domain/runs/restore-run.js';
import { WORKFLOW_TYPES } from '../../lib/domain/runs/workflow-types.js';
import type { HookDefinitionMessage, MissingStorageClassesRequest, RunHookRequest } from '../../proto/agent/index.js';
import type { AwaitHookTargetsRequest } from '../../proto/agent/restore-volumes.js';
import type { restoreWorkflow } from '../../workflows/restore.js';
import { RESTORE_STEPS, restoreProgressQuery } from '../../workflows/restore-progress.js';
import { moverTaskQueue, type StartMoverPodRequest } from '../../proto/mover/index.js';
import { DESTINATION, hook, hookSucceeded, ORG, repository, restoreVolumes } from './helpers/fixtures.js';
import { CONTROL_QUEUE, failureMessage, failureType, inputsOf, startWorkflowHarness, type Mocks, type WorkflowHarness } from './helpers/workflow-env.js';

type TargetAgent = Mocks<ClusterRestoreActivities & ClusterStorageClassActivities & ClusterRestoreVolumeActivities & ClusterHookActivities>;

let harness: WorkflowHarness;
let jobs = 0;

beforeAll(async () => {
  harness = await startWorkflowHarness();
});
afterAll(async () => {
  await harness?.close();
});

function restoreInput(overrides: Partial<RestoreRunInput> = {}): RestoreRunInput {
  return {
    orgId: ORG,
    jobId: `restore-job-${++jobs}`,
    restoreId: 'restore-1',
    restoreName: 'shop to dr',
    recoveryPointId: 'point-1',
    targetClusterId: DESTINATION,
    selection: { namespaces: [], resourceTypes: [], labels: '' },
    transforms: { namespacePrefix: '', namespaceSuffix: '', namespaceMapping: {}, storageClassMapping: {}, preserveNodePorts: false },
    existingResources: 'SKIP',
    persistentVolumes: restoreVolumes(),
    postRestoreHookPhase: 'POST_RESTORE',
    ...overrides,
  };
}

const pointWithoutVolumes: RestoreSource = { storageTargetId: repository.storageTargetId, resourcesSnapshotId: 'resources-snap', namespaces: ['shop'], persistentVolumes: [] };

function control(source: RestoreSource, hooksByPhase: Partial<Record<HookPhase, HookDefinitionMessage[]>> = {}): Mocks<ControlActivities> {
  return {
    agentNotConnectedReason: async () => null,
    updateJobStep: async () => undefined,
    finishJob: async () => undefined,
    resolveRestoreSource: async () => source,
    resolveRepositoryAccess: async () => repository,
    resolveHooks: async ({ phases }: { phases: HookPhase[] }) => phases.map((phase) => hooksByPhase[phase] ?? []),
  };
}

/** The target's agent: every storage class exists unless `missing` names it; every object is created. */
function targetAgent(missing: string[] = []): TargetAgent {
  return {
    missingStorageClasses: async (request: MissingStorageClassesRequest) => ({ version: 1, missing: request.storageClasses.filter((c) => missing.includes(c)) }),
    checkSnapshotRestore: async () => ({ version: 1, problems: [] }),
    restoreResourcesFromRepository: async () => ({ version: 1, status: 'COMPLETED', counts: { CREATED: 5, UPDATED: 0, SKIPPED: 0, FAILED: 0 }, outcomes: [], outcomesOmitted: 0 }),
    awaitHookTargets: async () => ({ version: 1, notReady: [] }),
    runBackupHook: async (request: RunHookRequest) => hookSucceeded(request.hook),
    releaseSnapshotSources: async () => undefined,
    releaseHeldWorkloads: async () => ({ version: 1, released: [] }),
  };
}

function runRestore(input: RestoreRunInput, mocks: Record<string, object>) {
  return harness.run<typeof restoreWorkflow>(WORKFLOW_TYPES.restore, [input], mocks);
}

describe('restore workflow steps (mocked activities)', () => {
  it('a storage-class remap to a class the target lacks fails at validation (STORAGE_CLASS_MISSING), before anything is read or applied', async () => {
    const input = restoreInput({ transforms: { ...restoreInput().transforms, storageClassMapping: { fast: 'gold' } } });
    const run = await runRestore(input, { [CONTROL_QUEUE]: control(pointWithoutVolumes), [clusterTaskQueue(DESTINATION)]: targetAgent(['gold']) });

    const message = `${RESTORE_STEPS.VALIDATING} failed: the target cluster has no storage class "gold" that the storage-class remap names`;
    expect(failureType(run.failure)).toBe('RESTORE_FAILED');
    expect(failureMessage(run.failure)).toBe(message);
    expect(run.calls.map((c) => c.name)).toEqual(['updateJobStep', 'agentNotConnectedReason', 'missingStorageClasses', 'finishJob']);
    expect(inputsOf<JobEnd>(run.calls, 'finishJob')).toEqual([{ orgId: ORG, jobId: input.jobId, status: 'FAILED', message, errors: [{ message }] }]);
  });

  it('a copied PV whose storage class the target lacks fails at validation too, before the resources are restored', async () => {
    const source: RestoreSource = {
      ...pointWithoutVolumes,
      persistentVolumes: [{ namespace: 'shop', claim: 'data', storageClass: 'fast', sizeBytes: 1_000_000, method: 'COPY_FROM_SNAPSHOT', volumeMode: 'Filesystem', copySnapshotId: 'copy-data' } as RestoreSource['persistentVolumes'][number]],
    };
    const input = restoreInput();
    const run = await runRestore(input, { [CONTROL_QUEUE]: control(source), [clusterTaskQueue(DESTINATION)]: targetAgent(['fast']) });

    expect(failureMessage(run.failure)).toBe(`${RESTORE_STEPS.VALIDATING} failed: the target cluster has no storage class "fast" for the copied PVs: remap it to one of the target's classes`);
    expect(inputsOf<MissingStorageClassesRequest>(run.calls, 'missingStorageClasses').map((r) => r.storageClasses)).toEqual([[], ['fast']]);
    const names = run.calls.map((c) => c.name);
    expect(names).not.toContain('resolveRepositoryAccess');
    expect(names).not.toContain('restoreResourcesFromRepository');
    expect(inputsOf<JobEnd>(run.calls, 'finishJob')[0]?.status).toBe('FAILED');
  });

  it("shows a filled PV's figures as soon as its mover is done, while its pod is still being deleted", async () => {
    const source: RestoreSource = {
      ...pointWithoutVolumes,
      persistentVolumes: [
        { namespace: 'shop', claim: 'data', storageClass: 'fast', sizeBytes: 1_000_000, method: 'COPY_FROM_SNAPSHOT', volumeMode: 'Filesystem', copySnapshotId: 'copy-data' } as RestoreSource['persistentVolumes'][number],
      ],
    };
    const input = restoreInput();
    const workflowId = `restore-filled-figures-${input.jobId}`;
    // The pod's delete holds until the test has read the progress: what a reader sees in that window, deterministically.
    let cleanupReached!: () => void;
    const atCleanup = new Promise<void>((resolve) => (cleanupReached = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const finished = harness.run<typeof restoreWorkflow>(
      WORKFLOW_TYPES.restore,
      [input],
      {
        [CONTROL_QUEUE]: { ...control(source), issueMoverToken: async () => 'mover-token' },
        [clusterTaskQueue(DESTINATION)]: {
          ...targetAgent(),
          restoreResourcesFromRepository: async () => ({
            version: 1,
            status: 'COMPLETED',
            counts: { CREATED: 5, UPDATED: 0, SKIPPED: 0, FAILED: 0 },
            outcomes: [],
            outcomesOmitted: 0,
            emptiedClaims: [{ namespace: 'shop', claim: 'data', targetNamespace: 'shop' }],
          }),
          startMoverPod: async (request: StartMoverPodRequest) => ({ version: 1, namespace: request.namespace, podName: 'mover-0' }),
          deleteMoverPod: async () => {
            cleanupReached();
            await released;
          },
          cleanUpMoverJob: async () => ({ version: 1, deleted: [] }),
        },
        [moverTaskQueue(DESTINATION, input.jobId, 0)]: { restoreVolumeFromRepository: async () => ({ version: 1, entries: 4, files: 3, bytes: 300, skipped: 0 }) },
      },
      workflowId,
    );
    await atCleanup;
    const progress = await harness.client.workflow.getHandle(workflowId).query(restoreProgressQuery);
    release();
    expect(progress.step).toBe('RESTORING_VOLUMES');
    expect(progress.volumes).toEqual([expect.objectContaining({ namespace: 'shop', claim: 'data', state: 'FILLED', bytes: 300, files: 3 })]);
    expect((await finished).failure).toBeUndefined();
  });

  it.each<HookPhase>(['POST_RESTORE', 'DESTINATION_POST_RESTORE'])(
    'post-restore hooks are those bound to the input\'s postRestoreHookPhase (%s), run after the resources in the renamed namespaces',
    async (postRestoreHookPhase) => {
      const migrate = { ...hook('migrate', 'POST_RESTORE'), namespaces: ['shop'] };
      // Hooks exist in both phases: only the input's phase may run.
      const hooks = { POST_RESTORE: [migrate], DESTINATION_POST_RESTORE: [migrate] };
      const other = postRestoreHookPhase === 'POST_RESTORE' ? 'DESTINATION_POST_RESTORE' : 'POST_RESTORE';
      hooks[other] = [{ ...hook('wrong-phase', 'POST_RESTORE'), namespaces: ['shop'] }];
      const input = restoreInput({ postRestoreHookPhase, transforms: { ...restoreInput().transforms, namespaceMapping: { shop: 'shop-dr' } } });
      const run = await runRestore(input, { [CONTROL_QUEUE]: control(pointWithoutVolumes, hooks), [clusterTaskQueue(DESTINATION)]: targetAgent() });

      expect(run.failure).toBeUndefined();
      expect(run.result).toMatchObject({ status: 'COMPLETED', counts: { CREATED: 5 } });
      expect(inputsOf<{ definitionId: string; phases: HookPhase[] }>(run.calls, 'resolveHooks')).toEqual([{ orgId: ORG, definitionId: input.restoreId, phases: [postRestoreHookPhase] }]);
      const relevant = run.calls.map((c) => c.name).filter((n) => ['restoreResourcesFromRepository', 'resolveHooks', 'awaitHookTargets', 'runBackupHook', 'finishJob'].includes(n));
      expect(relevant).toEqual(['restoreResourcesFromRepository', 'resolveHooks', 'awaitHookTargets', 'runBackupHook', 'finishJob']);
      // The hook acts on the restored application: its namespaces are renamed like the objects were.
      expect(inputsOf<AwaitHookTargetsRequest>(run.calls, 'awaitHookTargets')[0]).toMatchObject({ runNamespaces: ['shop-dr'], hooks: [{ name: 'migrate', namespaces: ['shop-dr'] }] });
      expect(inputsOf<RunHookRequest>(run.calls, 'runBackupHook').map((r) => `${r.hook.name} in ${r.hook.namespaces.join(',')} (run ${r.runNamespaces.join(',')})`)).toEqual(['migrate in shop-dr (run shop-dr)']);
      expect(inputsOf<JobStepUpdate>(run.calls, 'updateJobStep').map((u) => u.step)).toEqual([
        RESTORE_STEPS.VALIDATING,
        RESTORE_STEPS.RESOLVING,
        RESTORE_STEPS.RESTORING_RESOURCES,
        RESTORE_STEPS.RUNNING_POST_HOOKS,
      ]);
      expect(inputsOf<JobEnd>(run.calls, 'finishJob')[0]?.status).toBe('COMPLETED');
    },
  );
});
