import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SnapshotApi } from '../../activities/cluster/snapshots/snapshot-api.js';
import { recoveryPoints } from '../../lib/db/schema/index.js';
import { recoveryPointDeletionWorkflowId } from '../../lib/domain/runs/recovery-point-deletion.js';
import type { deleteRecoveryPointWorkflow } from '../../workflows/recovery-point-delete.js';
import { createBackupDefinition, createCluster, expectStatus } from '../api/helpers/fixtures.js';
import type { BackupStack } from '../backup/helpers/backup-stack.js';
import { deployEmulatedApp } from '../backup/helpers/emulated-app.js';
import { jobAfterRun, runNow } from '../backup/helpers/runs.js';
import { eventually, type EmulatedCluster } from '../emulator/helpers/cluster.js';
import { uniqueName } from '../support/stack-env.js';
import { DAY_MS, deletionJob, keptVolumes, pointById, pointOfJob, runExpiryPass, startRetentionStack, type PointRow, type RetentionStack } from './helpers.js';

let retention: RetentionStack;
let stack: BackupStack;
let cluster: EmulatedCluster;
let snapshots: SnapshotApi;
let clusterId: string;
let storageTargetId: string;

beforeAll(async () => {
  retention = await startRetentionStack('retention-snapshots');
  ({ stack, cluster, clusterId, storageTargetId } = retention);
  snapshots = new SnapshotApi(cluster.config);
}, 240_000);

afterAll(async () => {
  await retention?.close();
});

/** A snapshot-only backup of a fresh app: its point keeps one CSI snapshot (content retained) on the cluster. */
async function snapshotPoint(label: string): Promise<PointRow> {
  const app = await deployEmulatedApp(cluster, { label });
  const definitionId = (
    await createBackupDefinition(stack.client, clusterId, {
      selection: { scope: 'SELECTED_NAMESPACES', namespaces: [app.namespace] },
      persistentVolumes: { mode: 'SNAPSHOT_ONLY' },
      advanced: { destinationStorageTargetId: storageTargetId },
    })
  ).id;
  const job = await jobAfterRun(stack.client, stack.temporal, await runNow(stack.client, definitionId));
  expect(job.status, job.message).toBe('COMPLETED');
  const point = await pointOfJob(stack, job.id);
  expect(keptVolumes(point)).toHaveLength(1);
  return point;
}

/** Whether the point's kept snapshot, its content and the driver's data are all still there. */
async function snapshotState(point: PointRow): Promise<{ snapshot: boolean; content: boolean; data: boolean }> {
  const [pv] = keptVolumes(point);
  return {
    snapshot: (await snapshots.get(pv!.namespace, pv!.snapshotName!)) !== null,
    content: (await snapshots.getContent(pv!.snapshotContentName!)) !== null,
    data: await cluster.node.store.hasSnapshot(pv!.snapshotHandle!),
  };
}

/** The reason a workflow failed with (its failure's cause), or undefined when it succeeded. */
async function failureOf(workflowId: string): Promise<string | undefined> {
  return stack.temporal.workflow
    .getHandle(workflowId)
    .result()
    .then(
      () => undefined,
      (error: Error) => (error.cause instanceof Error ? error.cause.message : error.message),
    );
}

async function untilSnapshotGone(point: PointRow): Promise<void> {
  await eventually(async () => {
    const state = await snapshotState(point);
    return !state.snapshot && !state.content && !state.data;
  }, `the kept snapshot of point ${point.id} to be gone with its content and data`);
}

describe('DELETE /recovery-points/{id} on a snapshot-only point', () => {
  let point: PointRow;
  let restoreId: string;
  let workflowId: string;

  beforeAll(async () => {
    point = await snapshotPoint('deleted');
    restoreId = expectStatus<{ id: string }>(await stack.client.post('/restores', { name: uniqueName('restore'), recoveryPointId: point.id, targetClusterId: clusterId }), 201).id;
    workflowId = expectStatus<{ workflowId: string }>(await stack.client.delete(`/recovery-points/${point.id}`), 202).workflowId;
    await stack.temporal.workflow.getHandle(workflowId).result();
  }, 240_000);

  it('answers the deletion workflow, one per point', () => {
    expect(workflowId).toBe(recoveryPointDeletionWorkflowId(stack.orgId, point.id));
  });

  it('removes the VolumeSnapshot, its retained content and the driver\'s data from the cluster', async () => {
    await untilSnapshotGone(point);
  });

  it('removes the point, and the restore that named it stays with no recovery point', async () => {
    expectStatus(await stack.client.get(`/recovery-points/${point.id}`), 404);
    expect(expectStatus<{ recoveryPointId: string | null }>(await stack.client.get(`/restores/${restoreId}`), 200).recoveryPointId).toBeNull();
  });

  it('records a COMPLETED RECOVERY_POINT_DELETE job saying what went', async () => {
    const job = await deletionJob(stack, workflowId);
    expect(job.status, job.message).toBe('COMPLETED');
    expect(job.message).toContain('1 kept snapshots');
    expect(job.endedAt).not.toBeNull();
  });

  it('answers 404 for the point now that it is gone', async () => {
    expectStatus(await stack.client.delete(`/recovery-points/${point.id}`), 404);
  });
});

describe('the expiry pass, with its clock injected', () => {
  let due: PointRow;
  let locked: PointRow;
  let lockedUntil: Date;

  beforeAll(async () => {
    due = await snapshotPoint('expiring');
    locked = await snapshotPoint('locked');
    // SafeLock as a SafeLock policy records it: locked until (at least) the expiry.
    lockedUntil = new Date(locked.expiresAt.getTime() + 10 * DAY_MS);
    await stack.api.running.database.db.update(recoveryPoints).set({ lockedUntil }).where(eq(recoveryPoints.id, locked.id));
  }, 300_000);

  it('leaves points that are not due yet', async () => {
    const outcome = await runExpiryPass(stack, { now: new Date(due.expiresAt.getTime() - 60_000).toISOString() });
    expect(outcome.deleted).not.toContain(due.id);
    expect(await pointById(stack, due.id)).toBeDefined();
    expect(await snapshotState(due)).toEqual({ snapshot: true, content: true, data: true });
  });

  it('deletes a point past its expiry with its kept snapshot, recording an EXPIRED job, and keeps the SafeLocked one whole', async () => {
    const now = new Date(Math.max(due.expiresAt.getTime(), locked.expiresAt.getTime()) + DAY_MS);
    const outcome = await runExpiryPass(stack, { now: now.toISOString() });
    expect(outcome.deleted).toContain(due.id);
    expect(outcome.deleted).not.toContain(locked.id);
    expect(await pointById(stack, due.id)).toBeUndefined();
    await untilSnapshotGone(due);
    const job = await deletionJob(stack, recoveryPointDeletionWorkflowId(stack.orgId, due.id));
    expect(job.status, job.message).toBe('COMPLETED');

    expect(await pointById(stack, locked.id)).toBeDefined();
    expect(await snapshotState(locked)).toEqual({ snapshot: true, content: true, data: true });
  });

  it('still refuses a DELETE of the SafeLocked point', async () => {
    expect(expectStatus<{ code: string }>(await stack.client.delete(`/recovery-points/${locked.id}`), 409).code).toBe('locked');
  });

  it('is refused by the deletion workflow itself while locked, not only by the API, whatever clock its input claims: job FAILED with until when', async () => {
    const workflowId = recoveryPointDeletionWorkflowId(stack.orgId, locked.id);
    // An input carrying its own instant (as runs once could) is judged by the control plane's clock anyway.
    const forged = { orgId: stack.orgId, recoveryPointId: locked.id, scope: 'ALL', cause: 'REQUESTED', asOf: new Date(lockedUntil.getTime() + DAY_MS).toISOString(), now: new Date(lockedUntil.getTime() + DAY_MS).toISOString() };
    const outcome = await stack.temporal.workflow.execute<typeof deleteRecoveryPointWorkflow>('deleteRecoveryPointWorkflow', {
      taskQueue: stack.api.config.workflowEngine!.controlTaskQueue,
      workflowId,
      args: [forged as Parameters<typeof deleteRecoveryPointWorkflow>[0]],
    });
    expect(outcome.status).toBe('LOCKED');
    const job = await deletionJob(stack, workflowId);
    expect(job.status).toBe('FAILED');
    expect(job.message).toContain(`SafeLocked until ${lockedUntil.toISOString()}`);
    expect(await snapshotState(locked)).toEqual({ snapshot: true, content: true, data: true });
  });

  it('deletes the SafeLocked point once its lock has ended, even with its VolumeSnapshot already gone (a step resumed after a crash)', async () => {
    const [pv] = keptVolumes(locked);
    await snapshots.delete(pv!.namespace, pv!.snapshotName!);
    const outcome = await runExpiryPass(stack, { now: new Date(lockedUntil.getTime() + 60_000).toISOString() });
    expect(outcome.deleted).toContain(locked.id);
    await untilSnapshotGone(locked);
  });
});

describe('a point whose cluster cannot delete its snapshots', () => {
  let real: PointRow;
  let stranded: PointRow;
  let agentlessClusterId: string;

  beforeAll(async () => {
    real = await snapshotPoint('stranded');
    // The same kept snapshot recorded for a registered cluster whose agent never connected: nothing may touch it.
    agentlessClusterId = (await createCluster(stack.client)).id;
    const { id: _id, jobId: _job, ...copy } = real;
    [stranded] = await stack.api.running.database.db.insert(recoveryPoints).values({ ...copy, clusterId: agentlessClusterId }).returning() as [PointRow];
  }, 240_000);

  afterAll(async () => {
    await stack.api.running.database.db.delete(recoveryPoints).where(eq(recoveryPoints.id, stranded.id));
    await stack.client.delete(`/recovery-points/${real.id}`);
  });

  it('is kept whole when its agent is offline, the deletion job FAILED with why', async () => {
    const { workflowId } = expectStatus<{ workflowId: string }>(await stack.client.delete(`/recovery-points/${stranded.id}`), 202);
    expect(await failureOf(workflowId)).toContain('agent not connected');
    const job = await deletionJob(stack, workflowId);
    expect(job.status).toBe('FAILED');
    expect(job.message).toMatch(/kept: .*cannot be deleted: agent not connected/);
    expect(job.errors[0]?.message).toContain(`${keptVolumes(real)[0]!.namespace}/${keptVolumes(real)[0]!.snapshotName}`);
    expect(await pointById(stack, stranded.id)).toBeDefined();
    expect(await snapshotState(real)).toEqual({ snapshot: true, content: true, data: true });
  });

  it('is retried by an expiry pass once its backoff has passed, reopening the same job, while other points still expire', async () => {
    const now = new Date(stranded.expiresAt.getTime() + DAY_MS).toISOString();
    const outcome = await runExpiryPass(stack, { now });
    expect(outcome.failed.map((f) => f.recoveryPointId)).toContain(stranded.id);
    expect(outcome.failed.find((f) => f.recoveryPointId === stranded.id)?.reason).toContain('agent not connected');
    const page = expectStatus<{ items: { workflowId: string; message: string }[] }>(await stack.client.get('/jobs?kind=RECOVERY_POINT_DELETE&limit=100'), 200);
    const strandedJobs = page.items.filter((j) => j.workflowId === recoveryPointDeletionWorkflowId(stack.orgId, stranded.id));
    expect(strandedJobs).toHaveLength(1);
    expect(strandedJobs[0]!.message).toContain('attempt 2 failed');
    expect(outcome.deleted).toContain(real.id);
    expect(await pointById(stack, stranded.id)).toBeDefined();
  });

  it('names the removed cluster once the cluster is deleted from Haven', async () => {
    expectStatus(await stack.client.delete(`/clusters/${agentlessClusterId}`), 204);
    const { workflowId } = expectStatus<{ workflowId: string }>(await stack.client.delete(`/recovery-points/${stranded.id}`), 202);
    expect(await failureOf(workflowId)).toContain('was removed from Haven');
    expect((await deletionJob(stack, workflowId)).message).toContain('was removed from Haven');
    expect(await pointById(stack, stranded.id)).toBeDefined();
  });
});
