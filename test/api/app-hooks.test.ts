import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackupDefinition, createCluster, createHook, expectStatus } from './helpers/fixtures.js';
import { authorized, putCurrent, startTestApi } from './helpers/test-api.js';
import type { Client, TestApi } from './helpers/test-api.js';

let api: TestApi;
let client: Client;

beforeAll(async () => {
  api = await startTestApi();
  client = authorized(api.app, (await api.createOrganization()).keys.admin);
});
afterAll(() => api?.close());

const hook = (extra: Record<string, unknown> = {}) => ({
  name: `h-${Math.random().toString(36).slice(2)}`,
  type: 'PRE_BACKUP',
  command: ['sh', '-c', 'pg_ctl stop'],
  podSelector: 'app:postgres',
  ...extra,
});

describe('app hooks', () => {
  it('defaults: timeout 30 s, on error FAIL, first container, all selected namespaces', async () => {
    expect(expectStatus(await client.post('/app-hooks', hook()), 201)).toMatchObject({
      timeoutSeconds: 30,
      onError: 'FAIL',
      container: null,
      namespaces: [],
    });
  });

  it.each([
    [0, 400],
    [1, 201],
    [3600, 201],
    [3601, 400],
  ])('timeoutSeconds %i answers %i', async (timeoutSeconds, status) => {
    expectStatus(await client.post('/app-hooks', hook({ timeoutSeconds })), status);
  });

  it.each([
    [{ type: 'POST_SNAPSHOT' }, 'body.type'],
    [{ onError: 'IGNORE' }, 'body.onError'],
    [{ command: [] }, 'body.command'],
    [{ command: 'sh -c x' }, 'body.command'],
    [{ namespaces: ['Bad_NS'] }, 'body.namespaces.0'],
    [{ container: '' }, 'body.container'],
  ])('rejects %j naming %s', async (extra, field) => {
    const response = expectStatus<{ errors: { field: string }[] }>(await client.post('/app-hooks', hook(extra)), 400);
    expect(response.errors.map((e) => e.field)).toEqual([field]);
  });

  it('rejects a malformed pod selector with the column of the problem', async () => {
    const response = expectStatus(await client.post('/app-hooks', hook({ podSelector: 'app:db tier' })), 422);
    expect(response.errors).toEqual([{ field: 'body.podSelector', reason: 'column 8: "tier" is not key:value (missing ":")' }]);
  });

  it('only fits the definition slot of its type', async () => {
    const post = await createHook(client, { type: 'POST_BACKUP' });
    const cluster = await createCluster(client);
    const response = expectStatus(await client.post('/backup-definitions', { name: 'mis-hooked', clusterId: cluster.id, hooks: { preBackup: [post.id] } }), 422);
    expect(response.errors).toEqual([{ field: 'body.hooks.preBackup.0', reason: `app hook "${post.name}" is POST_BACKUP; this slot takes PRE_BACKUP hooks` }]);
  });

  it('cannot be deleted or change type while a definition uses it', async () => {
    const pre = await createHook(client);
    const cluster = await createCluster(client);
    const definition = await createBackupDefinition(client, cluster.id, { hooks: { preBackup: [pre.id] } });
    expect(expectStatus(await client.get(`/backup-definitions/${definition.id}`), 200).hooks).toEqual({ preBackup: [pre.id], postBackup: [] });
    expect(expectStatus(await client.delete(`/app-hooks/${pre.id}`), 409)).toMatchObject({
      code: 'still-referenced',
      references: [{ kind: 'backup-definition', id: definition.id }],
    });
    const retyped = await putCurrent(client, `/app-hooks/${pre.id}`, (current) => ({ ...hook({ name: current.name }), type: 'POST_BACKUP' }));
    expectStatus(retyped, 409);
    const recommanded = await putCurrent(client, `/app-hooks/${pre.id}`, (current) => hook({ name: current.name, command: ['true'] }));
    expect(expectStatus(recommanded, 200).command).toEqual(['true']);
  });
});
