import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobEnd, JobStepUpdate } from '../../activities/control/jobs.js';
import type { RecoveryPointRecord } from '../../activities/control/recovery-points.js';
import { clusterTaskQueue } from '../../lib/common/temporal/names.js';
import type { BackupPlan } from '../../lib/domain/runs/backup-plan.js';
import { WORKFLOW_TYPES } from '../../lib/domain/runs/workflow-types.js';
import type { AwaitVolumeSnapshotRequest, CreateVolumeSnapshotRequest, RunHookRequest } from '../../proto/agent/index.js';
import { type BackupVolumeRequest, type CreateSnapshotClaimRequest, type StartMoverPodRequest } from '../../proto/mover/index.js';
import type { backupWorkflow } from '../../workflows/backup.js';
import { BACKUP_STEPS, progressQuery } from '../../workflows/backup-progress.js';
import { backupInput, backupPlan, exported, hook, hookFailure, hookSucceeded, SOURCE, volume } from './helpers/fixtures.js';
import { eventually } from '../emulator/helpers/cluster.js';
import { DEFAULT_BACKUP_TOTAL_CONCURRENT_FILES } from '../../lib/domain/definitions/options.js';
import { TemporalRunProgress } from '../../services/api/seams/temporal-run-progress.js';
import { control, copied, moverQueues, sourceAgent } from './helpers/backup-mocks.js';
import { CONTROL_QUEUE, failureMessage, failureType, inputsOf, startWorkflowHarness, type ActivityCall, type WorkflowHarness } from './helpers/workflow-env.js';

let harness: WorkflowHarness;
/** Generous: the dev server shares the machine with other suites. */
const READ_DEADLINE_MS = 30_000;
let jobs = 0;
const nextJob = () => `job-${++jobs}`;

beforeAll(async () => {
  harness = await startWorkflowHarness();
});
afterAll(async () => {
  await harness?.close();
});

function runBackup(jobId: string, plan: BackupPlan, mocks: Record<string, object>, retention = { days: 7, safeLock: false }) {
  return harness.run<typeof backupWorkflow>(WORKFLOW_TYPES.backup, [{ ...backupInput(jobId, plan), retention }], mocks);
}

/** Each call as the step it belongs to; consecutive calls of one step collapse into one entry. */
function stepsOf(calls: readonly ActivityCall[]): string[] {
  const steps = calls.flatMap((call): string[] => {
    if (call.name === 'runBackupHook') {
      const { hook: h } = call.input as RunHookRequest;
      return [`${h.type} ${h.name}`];
    }
    if (call.name === 'createVolumeSnapshot') return ['cut snapshots'];
    if (call.name === 'awaitVolumeSnapshot') return [(call.input as AwaitVolumeSnapshotRequest).until === 'CUT' ? 'cut snapshots' : 'await snapshots ready'];
    if (call.name === 'recordRecoveryPoint') return ['record recovery point'];
    if (call.name === 'finishJob') return ['finish job'];
    return [];
  });
  return steps.filter((step, i) => step !== steps[i - 1]);
}

describe('backup workflow steps (mocked activities)', () => {
  it('skips when the agent is not connected: a SKIPPED job, and nothing asked of the cluster', async () => {
    const jobId = nextJob();
    const reason = 'the agent of cluster cluster-a is not connected';
    const run = await runBackup(jobId, backupPlan('SNAPSHOT_ONLY'), {
      [CONTROL_QUEUE]: control({}, { agentNotConnectedReason: async () => reason }),
      [clusterTaskQueue(SOURCE)]: sourceAgent([volume('data')]),
    });

    expect(run.result).toEqual({ status: 'SKIPPED', reason });
    expect(run.calls.map((c) => c.name)).toEqual(['agentNotConnectedReason', 'finishJob']);
    expect(inputsOf<JobEnd>(run.calls, 'finishJob')).toEqual([{ orgId: 'org-1', jobId, status: 'SKIPPED', skipReason: reason, message: `Skipped: ${reason}` }]);
  });

  it('runs pre-hooks → snapshots (cut) → post-hooks → awaits the snapshots → records the recovery point, in that order', async () => {
    const jobId = nextJob();
    const hooks = { pre: [hook('flush', 'PRE_BACKUP'), hook('freeze', 'PRE_BACKUP')], post: [hook('thaw', 'POST_BACKUP')] };
    const run = await runBackup(jobId, backupPlan('SNAPSHOT_ONLY'), {
      [CONTROL_QUEUE]: control(hooks),
      [clusterTaskQueue(SOURCE)]: sourceAgent([volume('data'), volume('logs')]),
    });

    expect(run.failure).toBeUndefined();
    expect(stepsOf(run.calls)).toEqual(['PRE_BACKUP flush', 'PRE_BACKUP freeze', 'cut snapshots', 'POST_BACKUP thaw', 'await snapshots ready', 'record recovery point', 'finish job']);
    expect(inputsOf<JobStepUpdate>(run.calls, 'updateJobStep').map((u) => u.step)).toEqual([
      BACKUP_STEPS.EXPORTING_RESOURCES,
      BACKUP_STEPS.SCANNING_VOLUMES,
      BACKUP_STEPS.RUNNING_PRE_HOOKS,
      BACKUP_STEPS.SNAPSHOTTING_VOLUMES,
      BACKUP_STEPS.RUNNING_POST_HOOKS,
      BACKUP_STEPS.AWAITING_SNAPSHOTS,
      BACKUP_STEPS.RECORDING_RECOVERY_POINT,
    ]);
    // Both PVs were cut before the post-hook and are READY before the point is recorded, with their snapshots in it.
    const waits = inputsOf<AwaitVolumeSnapshotRequest>(run.calls, 'awaitVolumeSnapshot');
    expect(waits.map((w) => `${w.snapshotName} ${w.until}`).sort()).toEqual(['snap-data CUT', 'snap-data READY', 'snap-logs CUT', 'snap-logs READY']);
    const [record] = inputsOf<RecoveryPointRecord>(run.calls, 'recordRecoveryPoint');
    expect(record?.persistentVolumes?.map((v) => `${v.claim} ${v.method} ${v.snapshotName}`)).toEqual(['data SNAPSHOT snap-data', 'logs SNAPSHOT snap-logs']);
    expect(run.result).toEqual({ status: 'COMPLETED', recoveryPointId: record?.recoveryPointId, resourceCount: exported.resourceCount });
    expect(inputsOf<JobEnd>(run.calls, 'finishJob')[0]?.status).toBe('COMPLETED');
  });

  it('copy mode reads each claim as the plan in the input says: snapshot, live claim, skipped or not backed up', async () => {
    const jobId = nextJob();
    const plan = backupPlan('BACKUP_TO_OBJECT_STORAGE', { backupUnsnapshottedPvs: false, methodByStorageClass: { slow: 'SKIP', nfs: 'PVC' } });
    const volumes = [
      volume('db'),
      volume('cache', { storageClass: 'slow' }),
      volume('shared', { storageClass: 'nfs', driver: 'nfs.csi.k8s.io', snapshotClass: undefined }),
      volume('scratch', { snapshotClass: undefined, unsupportedReason: 'its CSI driver has no VolumeSnapshotClass' }),
      volume('pending', { volumeName: '' }),
    ];
    const run = await runBackup(jobId, plan, {
      [CONTROL_QUEUE]: control(),
      [clusterTaskQueue(SOURCE)]: sourceAgent(volumes),
      ...moverQueues(jobId, volumes.length, copied),
    });

    expect(run.failure).toBeUndefined();
    expect(inputsOf<CreateVolumeSnapshotRequest>(run.calls, 'createVolumeSnapshot').map((r) => r.claim)).toEqual(['db']);
    expect(inputsOf<CreateSnapshotClaimRequest>(run.calls, 'createSnapshotClaim').map((r) => `${r.sourceClaim} from ${r.snapshotName}`)).toEqual(['db from snap-db']);
    // The live claim is copied first (before post-hooks would run), beside the pods that mount it; then the snapshot's temporary claim.
    expect(inputsOf<StartMoverPodRequest>(run.calls, 'startMoverPod').map((r) => `${r.claim} colocated=${r.colocateWithClaimUsers === true}`)).toEqual([
      'shared colocated=true',
      'tmp-db colocated=false',
    ]);
    // Each pod is handed the token the control plane minted for its own queue, and only that.
    for (const request of inputsOf<StartMoverPodRequest>(run.calls, 'startMoverPod')) expect(request.token).toBe(`token-for-${request.taskQueue}`);
    expect(inputsOf<BackupVolumeRequest>(run.calls, 'backupVolumeToRepository').map((r) => r.claim)).toEqual(['shared', 'db']);
    // Not preserved: the snapshot goes once its copy is in.
    expect(inputsOf<{ snapshotName: string }>(run.calls, 'deleteVolumeSnapshot').map((r) => r.snapshotName)).toEqual(['snap-db']);
    const [record] = inputsOf<RecoveryPointRecord>(run.calls, 'recordRecoveryPoint');
    expect(record?.type).toBe('COPY');
    expect(record?.persistentVolumes?.map((v) => `${v.claim} ${v.method}`)).toEqual(['db COPY_FROM_SNAPSHOT', 'shared COPY_FROM_LIVE_CLAIM']);
    const [end] = inputsOf<JobEnd>(run.calls, 'finishJob');
    expect(end?.status).toBe('PARTIAL');
    expect(end?.errors?.map((e) => e.resource)).toEqual(expect.arrayContaining(['persistentvolumeclaims/shop/scratch', 'persistentvolumeclaims/shop/pending']));
    expect(end?.errors?.map((e) => e.resource)).not.toContain('persistentvolumeclaims/shop/cache');
  });

  it.each([1, 3])('copy mode runs at most plan.copy.concurrentPvs = %i copies at once', async (concurrentPvs) => {
    const jobId = nextJob();
    const volumes = ['a', 'b', 'c', 'd'].map((claim) => volume(claim));
    // Every copy holds until the test releases it, so how many run at once is the workflow's choice alone.
    const held: (() => void)[] = [];
    let running = 0;
    let most = 0;
    const heldCopy = (request: BackupVolumeRequest) =>
      new Promise<Awaited<ReturnType<typeof copied>>>((resolve) => {
        most = Math.max(most, ++running);
        held.push(() => {
          running--;
          resolve(copied(request));
        });
      });
    const workflowId = `backup-concurrency-${jobId}`;
    const finished = harness.run<typeof backupWorkflow>(
      WORKFLOW_TYPES.backup,
      [backupInput(jobId, backupPlan('BACKUP_TO_OBJECT_STORAGE', { concurrentPvs }))],
      { [CONTROL_QUEUE]: control(), [clusterTaskQueue(SOURCE)]: sourceAgent(volumes), ...moverQueues(jobId, volumes.length, heldCopy) },
      workflowId,
    );
    // The copies run in a batch (a child workflow): the one the run names in its progress.
    const batch = async () => {
      const [id] = (await harness.client.workflow.getHandle(workflowId).query(progressQuery)).batches ?? [];
      return id ? harness.client.workflow.getHandle(id) : undefined;
    };
    for (let remaining = volumes.length; remaining > 0; remaining--) {
      // Settled: the held copies are all the workflow has pending and no workflow task waits, so it has
      // started every copy it will start until one ends. No timing: the server says so.
      await eventually(async () => {
        const handle = await batch();
        if (!handle) return false;
        const { raw } = await handle.describe();
        return running > 0 && raw.pendingActivities?.length === running && !raw.pendingWorkflowTask;
      }, `the workflow to settle with ${remaining} copies left`);
      expect(running).toBe(Math.min(concurrentPvs, remaining));
      held.shift()?.();
    }
    const run = await finished;

    expect(run.failure).toBeUndefined();
    expect(inputsOf<BackupVolumeRequest>(run.calls, 'backupVolumeToRepository').map((r) => r.claim).sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(most).toBe(concurrentPvs);
    // Each mover gets its share of the run's files.
    expect(inputsOf<BackupVolumeRequest>(run.calls, 'backupVolumeToRepository')[0]?.limits.concurrentFiles).toBe(Math.floor(DEFAULT_BACKUP_TOTAL_CONCURRENT_FILES / concurrentPvs));
  });

  it("shows a copy's figures once its mover is done, while its pod and temporary claim are still being deleted", async () => {
    const jobId = nextJob();
    const workflowId = `backup-copied-figures-${jobId}`;
    // The cleanup holds until the test has read the progress: what a reader sees in that window, deterministically.
    let cleanupReached!: () => void;
    const atCleanup = new Promise<void>((resolve) => (cleanupReached = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const deleteMoverPod = async () => {
      cleanupReached();
      await released;
    };
    const finished = harness.run<typeof backupWorkflow>(
      WORKFLOW_TYPES.backup,
      [backupInput(jobId, backupPlan('BACKUP_TO_OBJECT_STORAGE'))],
      { [CONTROL_QUEUE]: control(), [clusterTaskQueue(SOURCE)]: sourceAgent([volume('db')], { deleteMoverPod }), ...moverQueues(jobId, 1, copied) },
      workflowId,
    );
    await atCleanup;
    // As the API reads it: the run's step, and its PVs as the batch at work knows them.
    const progress = await new TemporalRunProgress(harness.client, READ_DEADLINE_MS).read({ kind: 'BACKUP', workflowId });
    release();
    expect(progress?.step).toBe('COPYING_VOLUMES');
    expect(progress?.volumes).toEqual([{ namespace: 'shop', claim: 'db', state: 'COPYING', bytes: 300, files: 3 }]);
    expect((await finished).failure).toBeUndefined();
  });

  it('a pre-hook with onError FAIL that fails stops the run: FAILED with the hook\'s reason, its redacted stderr excerpt apart from the message, no snapshot, no post-hook', async () => {
    const jobId = nextJob();
    const freeze = hook('freeze', 'PRE_BACKUP', 'FAIL');
    const stderr = `cannot connect: password=hunter2 ${'y'.repeat(400)}\n`;
    // An agent that words its failure with the whole stderr (as agents did before excerpts): the job's message must not carry any.
    const agentMessage = `PRE_BACKUP hook "freeze" in pod shop/db-0 container db exited with code 3; stderr: ${stderr}`;
    const excerpt = `cannot connect: password=[REDACTED] ${'y'.repeat(200 - 'cannot connect: password=[REDACTED] '.length)}…`;
    const reason = 'PRE_BACKUP hook "freeze" in pod shop/db-0 container db exited with code 3';
    const hooks = { pre: [hook('flush', 'PRE_BACKUP'), freeze], post: [hook('thaw', 'POST_BACKUP')] };
    const run = await runBackup(jobId, backupPlan('SNAPSHOT_ONLY'), {
      [CONTROL_QUEUE]: control(hooks),
      [clusterTaskQueue(SOURCE)]: sourceAgent([volume('data')], {
        runBackupHook: async (request: RunHookRequest) => {
          if (request.hook.name === freeze.name) throw hookFailure(freeze, agentMessage, stderr);
          return hookSucceeded(request.hook);
        },
      }),
    });

    const message = `${BACKUP_STEPS.RUNNING_PRE_HOOKS} failed: ${reason}`;
    expect(failureType(run.failure)).toBe('BACKUP_FAILED');
    expect(failureMessage(run.failure)).toBe(message);
    expect(inputsOf<JobEnd>(run.calls, 'finishJob')).toEqual([{ orgId: 'org-1', jobId, status: 'FAILED', message, errors: [{ message, output: excerpt }] }]);
    // The failing hook ran once (no retry), the post-hook never; no snapshot was taken and no point recorded.
    expect(stepsOf(run.calls)).toEqual(['PRE_BACKUP flush', 'PRE_BACKUP freeze', 'finish job']);
    expect(run.calls.filter((c) => c.name === 'runBackupHook').map((c) => c.attempt)).toEqual([1, 1]);
    expect(run.calls.map((c) => c.name)).not.toContain('createVolumeSnapshot');
    expect(run.calls.map((c) => c.name)).not.toContain('recordRecoveryPoint');
  });

  it('with SafeLock locks the point\'s data first, then records the point with the date the objects hold', async () => {
    const jobId = nextJob();
    const lockedUntil = '2031-02-03T04:05:06.000Z';
    const run = await runBackup(
      jobId,
      backupPlan('SNAPSHOT_ONLY'),
      {
        [CONTROL_QUEUE]: control({}, { lockRecoveryPointData: async () => ({ lockedUntil, objects: 4, extended: 4 }) }),
        [clusterTaskQueue(SOURCE)]: sourceAgent([volume('data')]),
      },
      { days: 30, safeLock: true },
    );

    expect(run.failure).toBeUndefined();
    const names = run.calls.map((c) => c.name);
    expect(names.indexOf('lockRecoveryPointData')).toBeGreaterThan(-1);
    expect(names.indexOf('lockRecoveryPointData')).toBeLessThan(names.indexOf('recordRecoveryPoint'));
    const [locked] = inputsOf<RecoveryPointRecord>(run.calls, 'lockRecoveryPointData');
    const [record] = inputsOf<RecoveryPointRecord>(run.calls, 'recordRecoveryPoint');
    expect(locked?.resourcesSnapshotId).toBe(exported.snapshotId);
    expect(record).toEqual({ ...locked, lockedUntil });
  });

  it('says why a snapshot could not be taken: the agent\'s own error, not Temporal\'s wrapper', async () => {
    const jobId = nextJob();
    const refusal = 'volumesnapshots.snapshot.storage.k8s.io is forbidden: User system:serviceaccount:haven-system:haven-agent cannot create resource';
    const run = await runBackup(jobId, backupPlan('SNAPSHOT_ONLY'), {
      [CONTROL_QUEUE]: control(),
      [clusterTaskQueue(SOURCE)]: sourceAgent([volume('data')], { createVolumeSnapshot: async () => { throw ApplicationFailure.nonRetryable(refusal, 'KUBE_FORBIDDEN'); } }),
    });
    const [end] = inputsOf<JobEnd>(run.calls, 'finishJob');
    expect(JSON.stringify(end)).toContain(`the snapshot could not be taken: ${refusal}`);
    expect(JSON.stringify(end)).not.toContain('Activity task failed');
  });

  it('forgets the repository snapshots its point does not record: the rest once recorded, all of them when it fails', async () => {
    const recordedJob = nextJob();
    const ok = await runBackup(recordedJob, backupPlan('SNAPSHOT_ONLY'), { [CONTROL_QUEUE]: control(), [clusterTaskQueue(SOURCE)]: sourceAgent([volume('data')]) });
    expect(ok.failure).toBeUndefined();
    const [kept] = inputsOf<{ jobId: string; keep: string[] }>(ok.calls, 'forgetRunSnapshots');
    expect(kept).toMatchObject({ jobId: recordedJob, keep: [exported.snapshotId] });
    const names = ok.calls.map((c) => c.name);
    expect(names.indexOf('forgetRunSnapshots')).toBeGreaterThan(names.indexOf('recordRecoveryPoint'));

    const failedJob = nextJob();
    const failed = await runBackup(failedJob, backupPlan('SNAPSHOT_ONLY'), {
      [CONTROL_QUEUE]: control({}, { recordRecoveryPoint: async () => { throw ApplicationFailure.nonRetryable('database gone', 'TEST'); } }),
      [clusterTaskQueue(SOURCE)]: sourceAgent([volume('data')]),
    });
    expect(failed.failure).toBeDefined();
    expect(inputsOf<{ jobId: string; keep: string[] }>(failed.calls, 'forgetRunSnapshots')).toEqual([expect.objectContaining({ jobId: failedJob, keep: [] })]);
  });
});
