import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCluster, expectStatus } from '../api/helpers/fixtures.js';
import { authorized, startTestApi, type Client, type TestApi } from '../api/helpers/test-api.js';

let api: TestApi;
let client: Client;
let body: Record<string, unknown>;

beforeAll(async () => {
  api = await startTestApi();
  client = authorized(api.app, (await api.createOrganization()).keys.admin);
  const [source, destination] = [(await createCluster(client)).id, (await createCluster(client)).id];
  body = { name: 'dr', sourceClusterId: source, destination: { clusterId: destination, namespaces: ['shop'] }, runNow: false };
});
afterAll(() => api?.close());

describe('replication PV options', () => {
  it('refuses SNAPSHOT_ONLY, which cannot reach another cluster, and saves nothing', async () => {
    const refused = expectStatus<{ errors: unknown[] }>(await client.post('/replication-definitions', { ...body, persistentVolumes: { mode: 'SNAPSHOT_ONLY' } }), 422);
    expect(refused.errors).toEqual([{ field: 'body.persistentVolumes.mode', reason: expect.stringContaining('use BACKUP_TO_OBJECT_STORAGE') }]);
    expect(expectStatus<{ items: unknown[] }>(await client.get('/replication-definitions'), 200).items).toEqual([]);
  });

  it('copies by default', async () => {
    const saved = expectStatus<{ persistentVolumes: { mode: string } }>(await client.post('/replication-definitions', body), 201);
    expect(saved.persistentVolumes.mode).toBe('BACKUP_TO_OBJECT_STORAGE');
  });
});
