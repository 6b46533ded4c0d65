import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCluster, createPolicy, createS3Target, expectStatus, insertRecoveryPoint } from './helpers/fixtures.js';
import { RecordingLauncher } from './helpers/recording-launcher.js';
import { authorized, startTestApi } from './helpers/test-api.js';
import type { Client, TestApi, TestOrganization } from './helpers/test-api.js';

/** `runNow` on create for backups and restores, as replication has it: one call saves and starts the first run. */
let api: TestApi;
let bare: TestApi;
let org: TestOrganization;
let client: Client;
let bareClient: Client;
const launcher = new RecordingLauncher();
let clusterId: string;
let targetId: string;

beforeAll(async () => {
  [api, bare] = await Promise.all([startTestApi({ launcher }), startTestApi()]);
  org = await api.createOrganization();
  client = authorized(api.app, org.keys.admin);
  bareClient = authorized(bare.app, (await bare.createOrganization()).keys.admin);
  targetId = (await createS3Target(client)).id;
  clusterId = (await createCluster(client, { defaultStorageTargetId: targetId })).id;
});
afterAll(async () => {
  await api?.close();
  await bare?.close();
});

let n = 0;
const jobsOf = async (definitionId: string) =>
  expectStatus<{ items: { definitionId: string; kind: string; status: string }[] }>(await client.get(`/jobs?definitionId=${definitionId}`), 200).items;
const named = async (path: string, name: string) => expectStatus<{ items: unknown[] }>(await client.get(`${path}?name=${name}`), 200).items;

describe('creating a backup definition with runNow', () => {
  it('saves it and starts its first run with the retention given for it', async () => {
    const before = launcher.runs.length;
    const created = expectStatus<{ id: string }>(await client.post('/backup-definitions', { name: `b-${++n}`, clusterId, runNow: true, runNowRetentionDays: 3 }), 201);
    expect(created).not.toHaveProperty('runNow');
    expect(created).not.toHaveProperty('runNowRetentionDays');
    expect(launcher.runs.slice(before)).toEqual([
      expect.objectContaining({ kind: 'BACKUP', definitionId: created.id, input: expect.objectContaining({ retention: { days: 3, safeLock: false } }) }),
    ]);
    expect(await jobsOf(created.id)).toEqual([expect.objectContaining({ kind: 'BACKUP', status: 'RUNNING' })]);
  });

  it('takes the policy\'s retention when it has a policy', async () => {
    const policy = await createPolicy(client, { schedules: [{ cron: '30 2 * * *', retentionDays: 9 }] });
    const before = launcher.runs.length;
    const created = expectStatus<{ id: string }>(await client.post('/backup-definitions', { name: `b-${++n}`, clusterId, policyId: policy.id, runNow: true }), 201);
    expect(launcher.runs.slice(before)).toEqual([expect.objectContaining({ definitionId: created.id, input: expect.objectContaining({ retention: { days: 9, safeLock: false } }) })]);
  });

  it('without a policy or a retention for the run is a 422 naming runNowRetentionDays, and saves nothing', async () => {
    const before = launcher.runs.length;
    const name = `b-${++n}`;
    const response = expectStatus(await client.post('/backup-definitions', { name, clusterId, runNow: true }), 422);
    expect(response.errors).toEqual([{ field: 'body.runNowRetentionDays', reason: expect.stringContaining('no policy') }]);
    expect(await named('/backup-definitions', name)).toEqual([]);
    expect(launcher.runs.length).toBe(before);
  });

  it('is off by default, and a run retention without it is refused rather than ignored', async () => {
    const before = launcher.runs.length;
    expectStatus(await client.post('/backup-definitions', { name: `b-${++n}`, clusterId }), 201);
    expect(launcher.runs.length).toBe(before);
    const response = expectStatus(await client.post('/backup-definitions', { name: `b-${++n}`, clusterId, runNowRetentionDays: 3 }), 422);
    expect(response.errors).toEqual([{ field: 'body.runNowRetentionDays', reason: 'applies only with runNow: true' }]);
  });
});

describe('creating a restore with runNow, and when the first run cannot start', () => {
  it('saves it and starts the restore', async () => {
    const recoveryPointId = (await insertRecoveryPoint(api.running.database.db, { orgId: org.orgId, storageTargetId: targetId, namespaces: ['shop'] })).id;
    const before = launcher.runs.length;
    const created = expectStatus<{ id: string }>(await client.post('/restores', { name: `r-${++n}`, recoveryPointId, targetClusterId: clusterId, runNow: true }), 201);
    expect(created).not.toHaveProperty('runNow');
    expect(launcher.runs.slice(before)).toEqual([expect.objectContaining({ kind: 'RESTORE', definitionId: created.id, input: expect.objectContaining({ recoveryPointId }) })]);
    expect(await jobsOf(created.id)).toEqual([expect.objectContaining({ kind: 'RESTORE', status: 'RUNNING' })]);
  });

  it('of a backup definition saves nothing when the run cannot start (no workflow engine): 501', async () => {
    const target = await createS3Target(bareClient);
    const cluster = await createCluster(bareClient, { defaultStorageTargetId: target.id });
    const name = `b-${++n}`;
    expectStatus(await bareClient.post('/backup-definitions', { name, clusterId: cluster.id, runNow: true, runNowRetentionDays: 1 }), 501);
    expect(expectStatus<{ items: unknown[] }>(await bareClient.get(`/backup-definitions?name=${name}`), 200).items).toEqual([]);
    expect(expectStatus<{ items: unknown[] }>(await bareClient.get('/jobs'), 200).items).toEqual([]);
  });
});
