import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackupDefinition, createCluster, createHook, createPolicy, createS3Target, expectStatus, insertRecoveryPoint, unique } from './helpers/fixtures.js';
import { RecordingLauncher } from './helpers/recording-launcher.js';
import { authorized, startTestApi } from './helpers/test-api.js';
import type { Client, TestApi, TestOrganization } from './helpers/test-api.js';

let api: TestApi;
let org: TestOrganization;
let admin: Client;
let operator: Client;
const launcher = new RecordingLauncher();

beforeAll(async () => {
  api = await startTestApi({ launcher });
  org = await api.createOrganization();
  admin = authorized(api.app, org.keys.admin);
  operator = authorized(api.app, org.keys.operator);
});
afterAll(() => api?.close());

const forbidden = (body: { code?: string; detail?: string }) => {
  expect(body.code).toBe('forbidden');
  expect(body.detail).toContain('admin');
};

describe('app hooks need admin', () => {
  const hookBody = { name: 'quiesce', type: 'PRE_BACKUP', command: ['sh', '-c', 'sync'], podSelector: 'app:db' };

  it('refuses an operator creating, changing or deleting a hook, and changes nothing', async () => {
    forbidden(expectStatus(await operator.post('/app-hooks', { ...hookBody, name: 'by-operator' }), 403));
    expect(expectStatus<{ items: unknown[] }>(await admin.get('/app-hooks?name=by-operator'), 200).items).toEqual([]);

    const hook = await createHook(admin);
    forbidden(expectStatus(await operator.put(`/app-hooks/${hook.id}`, { ...hookBody, command: ['sh', '-c', 'rm -rf /'] }, { 'if-match': '"1"' }), 403));
    forbidden(expectStatus(await operator.delete(`/app-hooks/${hook.id}`), 403));
    expect(expectStatus(await admin.get(`/app-hooks/${hook.id}`), 200)).toMatchObject({ version: 1, command: ['sh', '-c', 'sync'] });
  });

  it('lets an admin create, change and delete a hook', async () => {
    const hook = expectStatus<{ id: string }>(await admin.post('/app-hooks', hookBody), 201);
    expectStatus(await admin.put(`/app-hooks/${hook.id}`, { ...hookBody, command: ['sh', '-c', 'fsfreeze'] }, { 'if-match': '"1"' }), 200);
    expectStatus(await admin.delete(`/app-hooks/${hook.id}`), 204);
  });
});

describe('deleting a recovery point needs admin', () => {
  it('refuses an operator and starts no deletion; an admin starts it', async () => {
    const target = await createS3Target(admin);
    const point = await insertRecoveryPoint(api.running.database.db, { orgId: org.orgId, storageTargetId: target.id });
    forbidden(expectStatus(await operator.delete(`/recovery-points/${point.id}`), 403));
    expect(launcher.calls).not.toContain(`delete:${point.id}`);
    expectStatus(await admin.delete(`/recovery-points/${point.id}`), 202);
    expect(launcher.calls).toContain(`delete:${point.id}`);
  });
});

describe('weakening a policy needs admin', () => {
  const locked = { cron: '0 2 * * *', retentionDays: 30, safeLock: true };
  const plain = { cron: '0 * * * *', retentionDays: 7, safeLock: false };

  it('lets an operator create a policy and make it stronger or rename it', async () => {
    const policy = await createPolicy(operator, { name: 'op-made', schedules: [plain] });
    const stronger = [{ ...plain, retentionDays: 14, safeLock: true }, locked];
    expectStatus(await operator.put(`/policies/${policy.id}`, { name: 'op-renamed', schedules: stronger }, { 'if-match': '"1"' }), 200);
    // Re-timing and reordering keep every guarantee.
    const retimed = [{ ...locked, cron: '0 3 * * *' }, { ...plain, retentionDays: 14, safeLock: true, cron: '15 * * * *' }];
    expectStatus(await operator.put(`/policies/${policy.id}`, { name: 'op-renamed', schedules: retimed.reverse() }, { 'if-match': '"2"' }), 200);
  });

  it.each([
    ['drops SafeLock from a schedule', [{ ...locked, safeLock: false }, plain], 'lose SafeLock'],
    ['shortens a retention', [locked, { ...plain, retentionDays: 1 }], 'kept 1 days where a schedule keeps them 7'],
    ['moves SafeLock to a shorter schedule', [{ ...locked, safeLock: false }, { ...plain, safeLock: true }], 'SafeLock would hold recovery points 7 days where it holds them 30'],
    ['removes a schedule', [locked], 'would be removed'],
  ])('refuses an operator who %s, leaving the policy as it was; an admin may', async (_case, schedules, reason) => {
    const policy = await createPolicy(admin, { schedules: [locked, plain] });
    const refused = expectStatus<{ code: string; detail: string }>(
      await operator.put(`/policies/${policy.id}`, { name: policy.name, schedules }, { 'if-match': '"1"' }),
      403,
    );
    forbidden(refused);
    expect(refused.detail).toContain(reason);
    expect(expectStatus(await admin.get(`/policies/${policy.id}`), 200)).toMatchObject({ version: 1, schedules: [locked, plain] });
    expect(expectStatus(await admin.put(`/policies/${policy.id}`, { name: policy.name, schedules }, { 'if-match': '"1"' }), 200)).toMatchObject({ schedules });
  });

  it('refuses an operator deleting a policy with SafeLock schedules; an admin may, and an operator may delete one without', async () => {
    const withLock = await createPolicy(admin, { schedules: [locked] });
    forbidden(expectStatus(await operator.delete(`/policies/${withLock.id}`), 403));
    expectStatus(await admin.get(`/policies/${withLock.id}`), 200);
    expectStatus(await admin.delete(`/policies/${withLock.id}`), 204);
    const withoutLock = await createPolicy(admin, { schedules: [plain] });
    expectStatus(await operator.delete(`/policies/${withoutLock.id}`), 204);
  });
});

describe('letting a replication delete namespaces Haven did not create needs admin', () => {
  let body: { name: string; sourceClusterId: string; destination: Record<string, unknown>; runNow: boolean };
  const withOverride = (override: boolean) => ({ ...body, destination: { ...body.destination, replaceUnmanagedNamespaces: override } });
  const REASON = 'destination.replaceUnmanagedNamespaces lets runs delete namespaces Haven did not create';

  beforeAll(async () => {
    const [source, destination] = [(await createCluster(admin)).id, (await createCluster(admin)).id];
    body = { name: 'dr-override', sourceClusterId: source, destination: { clusterId: destination, namespaces: ['shop'] }, runNow: false };
  });

  it('is off unless asked for, and an operator may save a replication without it', async () => {
    const saved = expectStatus<{ id: string; destination: { replaceUnmanagedNamespaces: boolean } }>(await operator.post('/replication-definitions', { ...body, name: 'dr-default' }), 201);
    expect(saved.destination.replaceUnmanagedNamespaces).toBe(false);
    expectStatus(await operator.put(`/replication-definitions/${saved.id}`, { ...withOverride(false), name: 'dr-default' }, { 'if-match': '"1"' }), 200);
  });

  it('refuses an operator setting it, on create or on replace, and saves nothing', async () => {
    const refused = expectStatus<{ code: string; detail: string }>(await operator.post('/replication-definitions', withOverride(true)), 403);
    forbidden(refused);
    expect(refused.detail).toBe(`this needs the admin role because ${REASON}; the API key has operator`);
    expect(expectStatus<{ items: unknown[] }>(await admin.get('/replication-definitions?name=dr-override'), 200).items).toEqual([]);

    const saved = expectStatus<{ id: string }>(await operator.post('/replication-definitions', { ...body, name: 'dr-later' }), 201);
    forbidden(expectStatus(await operator.put(`/replication-definitions/${saved.id}`, { ...withOverride(true), name: 'dr-later' }, { 'if-match': '"1"' }), 403));
    expect(expectStatus(await admin.get(`/replication-definitions/${saved.id}`), 200)).toMatchObject({ version: 1, destination: { replaceUnmanagedNamespaces: false } });
  });

  it('lets an admin set it; an operator then cannot change the definition without taking it off', async () => {
    const saved = expectStatus<{ id: string; destination: { replaceUnmanagedNamespaces: boolean } }>(await admin.post('/replication-definitions', withOverride(true)), 201);
    expect(saved.destination.replaceUnmanagedNamespaces).toBe(true);
    // Keeping it while changing the namespaces would point the override somewhere an admin never approved.
    const moved = { ...withOverride(true), destination: { ...withOverride(true).destination, namespaces: ['payroll'] } };
    forbidden(expectStatus(await operator.put(`/replication-definitions/${saved.id}`, moved, { 'if-match': '"1"' }), 403));
    const off = expectStatus<{ destination: { replaceUnmanagedNamespaces: boolean } }>(await operator.put(`/replication-definitions/${saved.id}`, withOverride(false), { 'if-match': '"1"' }), 200);
    expect(off.destination.replaceUnmanagedNamespaces).toBe(false);
  });
});

describe('weakening what a backup definition keeps needs admin', () => {
  const locked = { cron: '0 2 * * *', retentionDays: 30, safeLock: true };
  const plain = { cron: '0 * * * *', retentionDays: 7, safeLock: false };
  let clusterId: string;
  let lockingTargetId: string;
  let strong: { id: string; name: string };

  beforeAll(async () => {
    clusterId = (await createCluster(admin)).id;
    lockingTargetId = (await createS3Target(admin, { objectLockCapable: true })).id;
    strong = await createPolicy(admin, { schedules: [locked, plain] });
  });

  const bodyFor = (name: string, policyId: string | null) => ({ name, clusterId, policyId, advanced: { destinationStorageTargetId: lockingTargetId } });
  async function definitionUsing(policyId: string | null) {
    return createBackupDefinition(admin, clusterId, bodyFor(unique('bd'), policyId));
  }

  it.each([
    // Operators may create policies: one that keeps less is a way around the policy's own admin check.
    ['to a policy of its own that keeps less', async () => (await createPolicy(operator, { schedules: [{ ...plain, retentionDays: 1 }] })).id, 'a schedule would lose SafeLock (30 days)'],
    ['to a policy without SafeLock that keeps as long', async () => (await createPolicy(operator, { schedules: [{ ...locked, safeLock: false }, plain] })).id, 'lose SafeLock'],
    ['to no policy', async () => null, 'to none, and a schedule would lose SafeLock (30 days)'],
  ])('refuses an operator moving it %s, changing nothing; an admin may', async (_case, weaker, reason) => {
    const definition = await definitionUsing(strong.id);
    const policyId = await weaker();
    const refused = expectStatus<{ code: string; detail: string }>(await operator.put(`/backup-definitions/${definition.id}`, bodyFor(definition.name, policyId), { 'if-match': '"1"' }), 403);
    forbidden(refused);
    expect(refused.detail).toContain(`backup definition "${definition.name}" would move from policy "${strong.name}"`);
    expect(refused.detail).toContain(reason);
    expect(expectStatus(await admin.get(`/backup-definitions/${definition.id}`), 200)).toMatchObject({ version: 1, policyId: strong.id });
    expectStatus(await admin.put(`/backup-definitions/${definition.id}`, bodyFor(definition.name, policyId), { 'if-match': '"1"' }), 200);
  });

  it('lets an operator move a definition to a policy that keeps as much or more, and change the rest of it', async () => {
    const definition = await definitionUsing(null);
    expectStatus(await operator.put(`/backup-definitions/${definition.id}`, bodyFor(definition.name, strong.id), { 'if-match': '"1"' }), 200);
    const asStrong = await createPolicy(operator, { schedules: [{ ...plain, cron: '15 * * * *' }, { ...locked, retentionDays: 60 }] });
    expectStatus(await operator.put(`/backup-definitions/${definition.id}`, bodyFor(definition.name, asStrong.id), { 'if-match': '"2"' }), 200);
    expectStatus(await operator.put(`/backup-definitions/${definition.id}`, bodyFor('bd-renamed-by-operator', asStrong.id), { 'if-match': '"3"' }), 200);
  });

  it('refuses an operator deleting or pausing a definition that makes SafeLocked points, changing nothing; an admin may', async () => {
    const definition = await definitionUsing(strong.id);
    const reason = `backup definition "${definition.name}" makes SafeLocked recovery points (policy "${strong.name}")`;
    const paused = expectStatus<{ detail: string }>(await operator.post(`/backup-definitions/${definition.id}/actions/pause`, {}), 403);
    forbidden(paused);
    expect(paused.detail).toBe(`this needs the admin role because ${reason}; the API key has operator`);
    expect(launcher.calls).not.toContain(`pause:${definition.id}`);
    forbidden(expectStatus(await operator.delete(`/backup-definitions/${definition.id}`), 403));
    expect(expectStatus(await admin.get(`/backup-definitions/${definition.id}`), 200)).toMatchObject({ version: 1, paused: false });

    expect(expectStatus(await admin.post(`/backup-definitions/${definition.id}/actions/pause`, {}), 200)).toMatchObject({ paused: true });
    // Resuming gives the protection back: an operator's call.
    expect(expectStatus(await operator.post(`/backup-definitions/${definition.id}/actions/resume`, {}), 200)).toMatchObject({ paused: false });
    expectStatus(await admin.delete(`/backup-definitions/${definition.id}`), 204);
  });

  it('lets an operator delete or pause a definition whose policy has no SafeLock', async () => {
    const definition = await definitionUsing((await createPolicy(operator, { schedules: [plain] })).id);
    expectStatus(await operator.post(`/backup-definitions/${definition.id}/actions/pause`, {}), 200);
    expectStatus(await operator.delete(`/backup-definitions/${definition.id}`), 204);
  });
});
