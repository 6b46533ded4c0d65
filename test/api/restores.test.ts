import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recoveryPoints } from '../../lib/db/schema/index.js';
import { createCluster, createHook, createS3Target, expectStatus, insertRecoveryPoint } from './helpers/fixtures.js';
import { authorized, startTestApi } from './helpers/test-api.js';
import type { Client, TestApi } from './helpers/test-api.js';

let api: TestApi;
let client: Client;
let recoveryPointId: string;
let targetClusterId: string;
/** A point holding one PV copied to storage (shop/data) and one kept as a CSI snapshot (shop/db). */
let copiedPointId: string;

beforeAll(async () => {
  api = await startTestApi();
  const org = await api.createOrganization();
  client = authorized(api.app, org.keys.admin);
  const target = await createS3Target(client);
  recoveryPointId = (await insertRecoveryPoint(api.running.database.db, { orgId: org.orgId, storageTargetId: target.id, namespaces: ['shop', 'billing'] })).id;
  targetClusterId = (await createCluster(client)).id;
  const copied = await insertRecoveryPoint(api.running.database.db, { orgId: org.orgId, storageTargetId: target.id, namespaces: ['shop'] });
  copiedPointId = copied.id;
  const persistentVolumes = [
    { namespace: 'shop', claim: 'data', storageClass: 'standard', sizeBytes: 1, method: 'COPY_FROM_LIVE_CLAIM', copySnapshotId: 'copy-1' },
    { namespace: 'shop', claim: 'db', storageClass: 'csi', sizeBytes: 1, method: 'SNAPSHOT' },
  ];
  await api.running.database.db.update(recoveryPoints).set({ contents: { ...copied.contents, persistentVolumes } }).where(eq(recoveryPoints.id, copied.id));
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

const granular = (selection: Record<string, unknown>) => ({ name: `granular-${++n}`, recoveryPointId: copiedPointId, targetClusterId, selection });
const oneFile = { namespace: 'shop', claim: 'data', targetClaim: 'data-files', paths: ['conf/app.yaml'] };

/** Granular restores (restores/granular-rules.ts): what the schema cannot say. */
describe('granular restores', () => {
  it('records single resources, and one copied PV into a new claim with chosen paths', async () => {
    const resources = [{ type: 'configmaps', namespace: 'shop', name: 'web-config' }];
    expect(expectStatus(await client.post('/restores', granular({ resources })), 201)).toMatchObject({ selection: { resources, volumes: [] } });
    expect(expectStatus(await client.post('/restores', granular({ volumes: [oneFile] })), 201)).toMatchObject({ selection: { resources: [], volumes: [oneFile] } });
  });

  it.each([
    [{ volumes: [{ ...oneFile, paths: ['../etc/passwd'] }] }, 'body.selection.volumes.0.paths.0', 400],
    [{ volumes: [{ ...oneFile, paths: ['/etc'] }] }, 'body.selection.volumes.0.paths.0', 400],
    [{ volumes: [oneFile, { ...oneFile, targetClaim: 'other' }] }, 'body.selection.volumes', 400],
    [{ volumes: [{ ...oneFile, claim: 'db' }] }, 'body.selection.volumes.0.claim', 422],
    [{ volumes: [{ ...oneFile, claim: 'missing' }] }, 'body.selection.volumes.0.claim', 422],
    [{ volumes: [{ ...oneFile, targetNamespace: 'kube-system' }] }, 'body.selection.volumes.0.targetNamespace', 422],
    [{ volumes: [oneFile], resources: [{ type: 'configmaps', namespace: 'shop', name: 'a' }] }, 'body.selection.volumes', 422],
    [{ resources: [{ type: 'configmaps', namespace: 'payroll', name: 'a' }] }, 'body.selection.resources.0.namespace', 422],
    [{ resources: [{ type: 'configmaps', name: 'a/b' }] }, 'body.selection.resources.0.name', 400],
  ])('refuses %j naming %s (%i), recording nothing', async (selection, field, status) => {
    const before = expectStatus<{ items: unknown[] }>(await client.get('/restores?limit=200'), 200).items.length;
    const response = await client.post('/restores', granular(selection));
    expect(response.statusCode, response.body).toBe(status);
    expect(response.json<{ errors: { field: string }[] }>().errors.map((e) => e.field)).toContain(field);
    expect(expectStatus<{ items: unknown[] }>(await client.get('/restores?limit=200'), 200).items.length).toBe(before);
  });
});
