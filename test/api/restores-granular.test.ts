import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recoveryPoints } from '../../lib/db/schema/index.js';
import { createCluster, createS3Target, expectStatus, insertRecoveryPoint } from './helpers/fixtures.js';
import { authorized, startTestApi } from './helpers/test-api.js';
import type { Client, TestApi } from './helpers/test-api.js';

/** Granular restores (services/api/resources/restores/granular-rules.ts): what the schema cannot say. */
let api: TestApi;
let client: Client;
let recoveryPointId: string;
let targetClusterId: string;

beforeAll(async () => {
  api = await startTestApi();
  const org = await api.createOrganization();
  client = authorized(api.app, org.keys.admin);
  const target = await createS3Target(client);
  const point = await insertRecoveryPoint(api.running.database.db, { orgId: org.orgId, storageTargetId: target.id, namespaces: ['shop'] });
  recoveryPointId = point.id;
  // One PV copied to storage, one kept as a CSI snapshot.
  const persistentVolumes = [
    { namespace: 'shop', claim: 'data', storageClass: 'standard', sizeBytes: 1, method: 'COPY_FROM_LIVE_CLAIM', copySnapshotId: 'copy-1' },
    { namespace: 'shop', claim: 'db', storageClass: 'csi', sizeBytes: 1, method: 'SNAPSHOT' },
  ];
  await api.running.database.db.update(recoveryPoints).set({ contents: { ...point.contents, persistentVolumes } }).where(eq(recoveryPoints.id, point.id));
  targetClusterId = (await createCluster(client)).id;
});
afterAll(() => api?.close());

let n = 0;
const restore = (selection: Record<string, unknown>) => ({ name: `granular-${++n}`, recoveryPointId, targetClusterId, selection });
const oneFile = { namespace: 'shop', claim: 'data', targetClaim: 'data-files', paths: ['conf/app.yaml'] };

describe('granular restores', () => {
  it('records single resources, and one copied PV into a new claim with chosen paths', async () => {
    const resources = [{ type: 'configmaps', namespace: 'shop', name: 'web-config' }];
    expect(expectStatus(await client.post('/restores', restore({ resources })), 201)).toMatchObject({ selection: { resources, volumes: [] } });
    expect(expectStatus(await client.post('/restores', restore({ volumes: [oneFile] })), 201)).toMatchObject({ selection: { resources: [], volumes: [oneFile] } });
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
    const response = await client.post('/restores', restore(selection));
    expect(response.statusCode, response.body).toBe(status);
    expect(response.json<{ errors: { field: string }[] }>().errors.map((e) => e.field)).toContain(field);
    expect(expectStatus<{ items: unknown[] }>(await client.get('/restores?limit=200'), 200).items.length).toBe(before);
  });
});
