import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCluster, createHook, createS3Target, expectStatus, insertRecoveryPoint } from './helpers/fixtures.js';
import { authorized, startTestApi } from './helpers/test-api.js';
import type { Client, TestApi } from './helpers/test-api.js';

let api: TestApi;
let client: Client;
let recoveryPointId: string;
let targetClusterId: string;

beforeAll(async () => {
  api = await startTestApi();
  const org = await api.createOrganization();
  client = authorized(api.app, org.keys.admin);
  const target = await createS3Target(client);
  recoveryPointId = (await insertRecoveryPoint(api.running.database.db, { orgId: org.orgId, storageTargetId: target.id, namespaces: ['shop', 'billing'] })).id;
  targetClusterId = (await createCluster(client)).id;
});
afterAll(() => api?.close());

let n = 0;
const restore = (extra: Record<string, unknown> = {}) => ({ name: `restore-${++n}`, recoveryPointId, targetClusterId, ...extra });

describe('restores', () => {
  it('records a restore with the documented defaults (16 concurrent files, skip existing)', async () => {
    const created = expectStatus(await client.post('/restores', restore()), 201);
    expect(created).toMatchObject({
      recoveryPointId,
      targetClusterId,
      existingResources: 'SKIP',
      selection: { namespaces: [], resourceTypes: [], labels: '' },
      persistentVolumes: { include: true, concurrentPvs: 2, totalConcurrentFiles: 16, dataMoverMemoryLimitMiB: 1024 },
      transforms: { preserveNodePorts: false },
      hooks: { postRestore: [] },
    });
  });

  it('takes the transforms and an UPDATE policy for existing resources', async () => {
    const hook = await createHook(client, { type: 'POST_RESTORE' });
    const created = expectStatus(
      await client.post(
        '/restores',
        restore({
          existingResources: 'UPDATE',
          selection: { namespaces: ['shop'] },
          transforms: { namespaceMapping: { shop: 'shop-restored' }, storageClassMapping: { gp2: 'gp3' }, preserveNodePorts: true },
          hooks: { postRestore: [hook.id] },
        }),
      ),
      201,
    );
    expect(created).toMatchObject({ existingResources: 'UPDATE', transforms: { namespaceMapping: { shop: 'shop-restored' } }, hooks: { postRestore: [hook.id] } });
  });

  it.each([
    [{ existingResources: 'OVERWRITE' }, 'body.existingResources', 400],
    [{ persistentVolumes: { totalConcurrentFiles: 0 } }, 'body.persistentVolumes.totalConcurrentFiles', 400],
    [{ persistentVolumes: { totalConcurrentFiles: 257 } }, 'body.persistentVolumes.totalConcurrentFiles', 400],
    [{ persistentVolumes: { dataMoverMemoryLimitMiB: 8193 } }, 'body.persistentVolumes.dataMoverMemoryLimitMiB', 400],
    [{ selection: { namespaces: ['payroll'] } }, 'body.selection.namespaces.0', 422],
    [{ selection: { labels: 'app' } }, 'body.selection.labels', 422],
    [{ recoveryPointId: '00000000-0000-4000-8000-000000000000' }, 'body.recoveryPointId', 422],
    [{ targetClusterId: '00000000-0000-4000-8000-000000000000' }, 'body.targetClusterId', 422],
  ])('rejects %j naming %s', async (extra, field, status) => {
    const body = expectStatus<{ errors: { field: string }[] }>(await client.post('/restores', restore(extra)), status);
    expect(body.errors.map((e) => e.field)).toEqual([field]);
  });

  it('refuses a post-backup hook in the post-restore slot', async () => {
    const wrong = await createHook(client, { type: 'POST_BACKUP' });
    expectStatus(await client.post('/restores', restore({ hooks: { postRestore: [wrong.id] } })), 422);
  });

  it('makes the target cluster undeletable while the restore exists', async () => {
    const cluster = await createCluster(client);
    const created = expectStatus<{ id: string; name: string }>(await client.post('/restores', restore({ targetClusterId: cluster.id })), 201);
    expect(expectStatus(await client.delete(`/clusters/${cluster.id}`), 409)).toMatchObject({
      references: [{ kind: 'restore', id: created.id, name: created.name }],
    });
  });
});
