import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createBackupDefinition,
  createCluster,
  createHook,
  createPolicy,
  createS3Target,
  expectStatus,
  insertJob,
  insertRecoveryPoint,
} from './helpers/fixtures.js';
import { authorized, startTestApi } from './helpers/test-api.js';
import type { Client, TestApi } from './helpers/test-api.js';

let api: TestApi;
let alice: Client;
let mallory: Client;
const aliceRecords: Record<string, string> = {};

beforeAll(async () => {
  api = await startTestApi();
  const aliceOrg = await api.createOrganization('alice');
  const malloryOrg = await api.createOrganization('mallory');
  alice = authorized(api.app, aliceOrg.keys.admin);
  mallory = authorized(api.app, malloryOrg.keys.admin);

  const target = await createS3Target(alice);
  const cluster = await createCluster(alice);
  const policy = await createPolicy(alice);
  const hook = await createHook(alice);
  const backup = await createBackupDefinition(alice, cluster.id, { policyId: policy.id, hooks: { preBackup: [hook.id] } });
  const recoveryPoint = await insertRecoveryPoint(api.running.database.db, { orgId: aliceOrg.orgId, storageTargetId: target.id, clusterId: cluster.id });
  const job = await insertJob(api.running.database.db, { orgId: aliceOrg.orgId, status: 'RUNNING' });
  Object.assign(aliceRecords, {
    '/storage-targets': target.id,
    '/clusters': cluster.id,
    '/policies': policy.id,
    '/app-hooks': hook.id,
    '/backup-definitions': backup.id,
    '/recovery-points': recoveryPoint.id,
    '/jobs': job.id,
  });
});
afterAll(() => api?.close());

describe('tenant isolation', () => {
  it.each(['/storage-targets', '/clusters', '/policies', '/app-hooks', '/backup-definitions', '/recovery-points', '/jobs'])(
    '%s: another organization gets 404 reading and nothing in lists',
    async (path) => {
      const id = aliceRecords[path] as string;
      expectStatus(await alice.get(`${path}/${id}`), 200);
      expect(expectStatus(await mallory.get(`${path}/${id}`), 404)).toMatchObject({ code: 'not-found' });
      const list = expectStatus<{ items: { id: string }[] }>(await mallory.get(path), 200);
      expect(list.items.map((item) => item.id)).not.toContain(id);
    },
  );

  it.each(['/storage-targets', '/clusters', '/policies', '/app-hooks', '/backup-definitions'])(
    '%s: another organization gets 404 deleting and the record survives',
    async (path) => {
      const id = aliceRecords[path] as string;
      expectStatus(await mallory.delete(`${path}/${id}`), 404);
      expectStatus(await alice.get(`${path}/${id}`), 200);
    },
  );

  it('another organization gets 404 replacing a record, whatever ETag it guesses', async () => {
    const id = aliceRecords['/clusters'] as string;
    expectStatus(await mallory.put(`/clusters/${id}`, { name: 'stolen' }, { 'if-match': '"1"' }), 404);
    expect(expectStatus(await alice.get(`/clusters/${id}`), 200).name).not.toBe('stolen');
  });

  it('another organization gets 404 on actions', async () => {
    expectStatus(await mallory.post(`/backup-definitions/${aliceRecords['/backup-definitions']}/actions/run`, { retentionDays: 1 }), 404);
    expectStatus(await mallory.post(`/jobs/${aliceRecords['/jobs']}/actions/cancel`), 404);
    expectStatus(await mallory.delete(`/recovery-points/${aliceRecords['/recovery-points']}`), 404);
  });

  it('cannot reference another organization\'s records (422 naming the field)', async () => {
    const own = await createCluster(mallory);
    const stolenCluster = expectStatus(await mallory.post('/backup-definitions', { name: 'x', clusterId: aliceRecords['/clusters'] }), 422);
    expect(stolenCluster.errors).toEqual([{ field: 'body.clusterId', reason: 'no cluster with this id in this organization' }]);
    const stolenPolicy = expectStatus(await mallory.post('/backup-definitions', { name: 'x', clusterId: own.id, policyId: aliceRecords['/policies'] }), 422);
    expect(stolenPolicy.errors).toEqual([{ field: 'body.policyId', reason: 'no policy with this id in this organization' }]);
    const stolenHook = expectStatus(
      await mallory.post('/backup-definitions', { name: 'x', clusterId: own.id, hooks: { preBackup: [aliceRecords['/app-hooks']] } }),
      422,
    );
    expect(stolenHook.errors).toEqual([{ field: 'body.hooks.preBackup.0', reason: 'no app hook with this id in this organization' }]);
    const stolenTarget = expectStatus(
      await mallory.put('/organization', { name: 'mallory', preferences: { defaultStorageTargetId: aliceRecords['/storage-targets'] } }, { 'if-match': '"1"' }),
      422,
    );
    expect(stolenTarget.errors).toEqual([{ field: 'body.preferences.defaultStorageTargetId', reason: 'no storage target with this id in this organization' }]);
  });

  it('the database itself refuses a cross-organization reference', async () => {
    const malloryCluster = await createCluster(mallory);
    const attempt = api.running.database.pool.query('update clusters set default_storage_target_id = $1 where id = $2', [
      aliceRecords['/storage-targets'],
      malloryCluster.id,
    ]);
    await expect(attempt).rejects.toMatchObject({ code: '23503' });
  });

  it('names may repeat across organizations', async () => {
    const name = expectStatus<{ name: string }>(await alice.get(`/clusters/${aliceRecords['/clusters']}`), 200).name;
    expectStatus(await mallory.post('/clusters', { name }), 201);
  });
});
