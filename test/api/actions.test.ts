import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackupDefinition, createCluster, createPolicy, createS3Target, expectStatus, insertJob, insertRecoveryPoint } from './helpers/fixtures.js';
import { RecordingLauncher } from './helpers/recording-launcher.js';
import { authorized, startTestApi } from './helpers/test-api.js';
import type { Client, TestApi, TestOrganization } from './helpers/test-api.js';

/** Two APIs: this build's (no workflow engine) and one with a recording launcher in its place. */
let bare: TestApi;
let bareOrg: TestOrganization;
let bareClient: Client;
let engine: TestApi;
let engineOrg: TestOrganization;
let engineClient: Client;
const launcher = new RecordingLauncher();
const now = new Date('2025-06-01T00:00:00Z');

beforeAll(async () => {
  [bare, engine] = await Promise.all([startTestApi({ clock: { now: () => now } }), startTestApi({ launcher, clock: { now: () => now } })]);
  bareOrg = await bare.createOrganization();
  bareClient = authorized(bare.app, bareOrg.keys.admin);
  engineOrg = await engine.createOrganization();
  engineClient = authorized(engine.app, engineOrg.keys.admin);
});
afterAll(async () => {
  await bare?.close();
  await engine?.close();
});

async function definitionWithDestination(client: Client, extra: Record<string, unknown> = {}) {
  const target = await createS3Target(client);
  const cluster = await createCluster(client, { defaultStorageTargetId: target.id });
  return { target, cluster, definition: await createBackupDefinition(client, cluster.id, extra) };
}

describe('run now without a workflow engine', () => {
  it('answers 501 problem+json and records no job', async () => {
    const { definition } = await definitionWithDestination(bareClient);
    const response = await bareClient.post(`/backup-definitions/${definition.id}/actions/run`, { retentionDays: 7 });
    expect(response.statusCode).toBe(501);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ code: 'workflows-unavailable', detail: expect.stringContaining('nothing was changed') });
    expect(expectStatus<{ items: unknown[] }>(await bareClient.get('/jobs'), 200).items).toEqual([]);
  });

  it('checks the request before saying so: ad-hoc retention is required without a policy', async () => {
    const { definition } = await definitionWithDestination(bareClient);
    const response = expectStatus(await bareClient.post(`/backup-definitions/${definition.id}/actions/run`, {}), 422);
    expect(response.errors).toEqual([{ field: 'body.retentionDays', reason: expect.stringContaining('has no policy') }]);
    expectStatus(await bareClient.post(`/backup-definitions/${definition.id}/actions/run`, { retentionDays: 0 }), 400);
    expectStatus(await bareClient.post(`/backup-definitions/${definition.id}/actions/run`, { retentionDays: 3651 }), 400);
  });

  it('refuses pause and resume plainly: 409 without a policy, 501 with one', async () => {
    const { definition } = await definitionWithDestination(bareClient);
    expect(expectStatus(await bareClient.post(`/backup-definitions/${definition.id}/actions/pause`), 409).detail).toContain('has no policy');
    const policy = await createPolicy(bareClient);
    const scheduled = (await definitionWithDestination(bareClient, { policyId: policy.id })).definition;
    expectStatus(await bareClient.post(`/backup-definitions/${scheduled.id}/actions/pause`), 501);
    expect(expectStatus(await bareClient.get(`/backup-definitions/${scheduled.id}`), 200).paused).toBe(false);
    expect(expectStatus(await bareClient.post(`/backup-definitions/${scheduled.id}/actions/resume`), 409).detail).toContain('already running on schedule');
  });

  it('refuses cancel plainly: 409 for a finished job, 501 for a running one', async () => {
    const done = await insertJob(bare.running.database.db, { orgId: bareOrg.orgId, status: 'COMPLETED' });
    expect(expectStatus(await bareClient.post(`/jobs/${done.id}/actions/cancel`), 409).detail).toContain('already ended COMPLETED');
    const running = await insertJob(bare.running.database.db, { orgId: bareOrg.orgId, status: 'RUNNING' });
    expectStatus(await bareClient.post(`/jobs/${running.id}/actions/cancel`), 501);
  });

  it('refuses to delete a SafeLocked recovery point (409) and an unlocked one needs the engine (501)', async () => {
    const target = await createS3Target(bareClient);
    const locked = await insertRecoveryPoint(bare.running.database.db, {
      orgId: bareOrg.orgId,
      storageTargetId: target.id,
      lockedUntil: new Date(now.getTime() + 86_400_000),
    });
    expect(expectStatus(await bareClient.get(`/recovery-points/${locked.id}`), 200)).toMatchObject({ safeLock: { locked: true } });
    expect(expectStatus(await bareClient.delete(`/recovery-points/${locked.id}`), 409)).toMatchObject({ code: 'locked' });
    const expiredLock = await insertRecoveryPoint(bare.running.database.db, {
      orgId: bareOrg.orgId,
      storageTargetId: target.id,
      lockedUntil: new Date(now.getTime() - 1),
    });
    expect(expectStatus(await bareClient.get(`/recovery-points/${expiredLock.id}`), 200)).toMatchObject({ safeLock: { locked: false } });
    expectStatus(await bareClient.delete(`/recovery-points/${expiredLock.id}`), 501);
  });
});

describe('actions through the WorkflowLauncher seam', () => {
  it('run now resolves the definition into one request, records a RUNNING job and links it to Temporal', async () => {
    const { definition, target } = await definitionWithDestination(engineClient);
    const job = expectStatus<Record<string, unknown>>(await engineClient.post(`/backup-definitions/${definition.id}/actions/run`, { retentionDays: 7 }), 202);
    expect(job).toMatchObject({ kind: 'BACKUP', status: 'RUNNING', definitionId: definition.id, workflowRunId: 'run-1' });
    expect(job.workflowId).toMatch(new RegExp(`^${engineOrg.orgId}:backup-${definition.id}-20250601T000000000Z$`));
    expect(job.temporalUiUrl).toBe(`http://127.0.0.1:8233/namespaces/default/workflows/${encodeURIComponent(String(job.workflowId))}/run-1`);
    // The run's input is resolved whole: destination, retention and every option the workflow reads.
    expect(launcher.runs.at(-1)).toMatchObject({
      kind: 'BACKUP',
      workflowId: job.workflowId,
      definitionId: definition.id,
      input: {
        jobId: job.id,
        storageTargetId: target.id,
        retention: { days: 7, safeLock: false },
        plan: {
          hookPhases: { pre: 'PRE_BACKUP', post: 'POST_BACKUP' },
          persistentVolumes: { include: true, mode: 'BACKUP_TO_OBJECT_STORAGE' },
          csiSnapshotTimeoutMinutes: 10,
          copy: { concurrentPvs: 2, totalConcurrentFiles: 24, dataMoverPodTimeoutMinutes: 20, dataMoverMemoryLimitMiB: 1024, snapshotRetentionDays: null },
        },
      },
    });
    expect(expectStatus(await engineClient.get(`/jobs/${job.id as string}`), 200)).toMatchObject({ status: 'RUNNING' });
  });

  it('without an ad-hoc retention, a run takes the policy\'s first schedule', async () => {
    const policy = await createPolicy(engineClient, { schedules: [{ cron: '0 1 * * *', retentionDays: 14 }] });
    const { definition } = await definitionWithDestination(engineClient, { policyId: policy.id });
    expectStatus(await engineClient.post(`/backup-definitions/${definition.id}/actions/run`, {}), 202);
    expect(launcher.runs.at(-1)).toMatchObject({ kind: 'BACKUP', input: { retention: { days: 14, safeLock: false } } });
  });

  it('refuses to run without any destination', async () => {
    const cluster = await createCluster(engineClient);
    const definition = await createBackupDefinition(engineClient, cluster.id);
    const refused = expectStatus(await engineClient.post(`/backup-definitions/${definition.id}/actions/run`, { retentionDays: 1 }), 422);
    expect(refused.errors).toEqual([{ field: 'advanced.destinationStorageTargetId', reason: expect.stringContaining('no destination') }]);
  });

  it('pause and resume flip the flag once the schedule changed', async () => {
    const policy = await createPolicy(engineClient);
    const { definition } = await definitionWithDestination(engineClient, { policyId: policy.id });
    const paused = expectStatus(await engineClient.post(`/backup-definitions/${definition.id}/actions/pause`), 200);
    expect(paused).toMatchObject({ paused: true, version: 2 });
    expectStatus(await engineClient.post(`/backup-definitions/${definition.id}/actions/pause`), 409);
    expect(expectStatus(await engineClient.post(`/backup-definitions/${definition.id}/actions/resume`), 200)).toMatchObject({ paused: false });
    expect(launcher.calls).toEqual(expect.arrayContaining([`pause:${definition.id}`, `resume:${definition.id}`]));
  });

  it('cancel asks the engine and answers 202', async () => {
    const running = await insertJob(engine.running.database.db, { orgId: engineOrg.orgId, status: 'RUNNING' });
    expectStatus(await engineClient.post(`/jobs/${running.id}/actions/cancel`), 202);
    expect(launcher.calls).toContain(`cancel:${running.id}`);
  });

  it('restore run is refused once its recovery point has expired', async () => {
    const target = await createS3Target(engineClient);
    const point = await insertRecoveryPoint(engine.running.database.db, { orgId: engineOrg.orgId, storageTargetId: target.id });
    const cluster = await createCluster(engineClient);
    const restore = expectStatus<{ id: string }>(
      await engineClient.post('/restores', { name: 'r', recoveryPointId: point.id, targetClusterId: cluster.id }),
      201,
    );
    await engine.running.database.pool.query('delete from recovery_points where id = $1', [point.id]);
    expect(expectStatus(await engineClient.get(`/restores/${restore.id}`), 200).recoveryPointId).toBeNull();
    expect(expectStatus(await engineClient.post(`/restores/${restore.id}/actions/run`), 409).detail).toContain('expired');
  });
});

describe('jobs and recovery points read models', () => {
  it('lists jobs newest first, filtered by status', async () => {
    const fresh = await startTestApi();
    try {
      const org = await fresh.createOrganization();
      const client = authorized(fresh.app, org.keys.viewer);
      const db = fresh.running.database.db;
      await insertJob(db, { orgId: org.orgId, status: 'COMPLETED', startedAt: new Date('2025-01-01T00:00:00Z') });
      const skipped = await insertJob(db, { orgId: org.orgId, status: 'SKIPPED', startedAt: new Date('2025-01-02T00:00:00Z') });
      const failed = await insertJob(db, { orgId: org.orgId, status: 'FAILED', startedAt: new Date('2025-01-03T00:00:00Z') });
      const all = expectStatus<{ items: { id: string }[] }>(await client.get('/jobs?limit=2'), 200);
      expect(all.items.map((j) => j.id)).toEqual([failed.id, skipped.id]);
      const onlySkipped = expectStatus<{ items: { id: string }[] }>(await client.get('/jobs?status=SKIPPED'), 200);
      expect(onlySkipped.items.map((j) => j.id)).toEqual([skipped.id]);
      expectStatus(await client.get('/jobs?status=DONE'), 400);
    } finally {
      await fresh.close();
    }
  });
});
