import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCluster, createS3Target, expectStatus, insertRecoveryPoint } from './helpers/fixtures.js';
import { authorized, startTestApi } from './helpers/test-api.js';
import type { Client, TestApi } from './helpers/test-api.js';

let api: TestApi;
let client: Client;
let clusterId: string;
let otherClusterId: string;
let recoveryPointId: string;

beforeAll(async () => {
  api = await startTestApi();
  const org = await api.createOrganization();
  client = authorized(api.app, org.keys.admin);
  clusterId = (await createCluster(client)).id;
  otherClusterId = (await createCluster(client)).id;
  const target = await createS3Target(client);
  recoveryPointId = (await insertRecoveryPoint(api.running.database.db, { orgId: org.orgId, storageTargetId: target.id, namespaces: ['shop', 'be-x'] })).id;
});
afterAll(() => api?.close());

let n = 0;
const name = (prefix: string) => `${prefix}-${++n}`;

function refused(response: Parameters<typeof expectStatus>[0], field: string): void {
  const problem = expectStatus<{ errors: { field: string; reason: string }[] }>(response, 422);
  expect(problem.errors.map((e) => e.field)).toEqual([field]);
  expect(problem.errors[0]!.reason).toContain('never backed up, restored, replicated or hooked');
}

describe('protected namespaces at definition time', () => {
  it.each(['kube-system', 'kube-public', 'kube-node-lease', 'haven-system'])('a backup selecting %s is refused naming the field', async (namespace) => {
    const selection = { scope: 'SELECTED_NAMESPACES', namespaces: ['shop', namespace] };
    refused(await client.post('/backup-definitions', { name: name('b'), clusterId, selection }), 'body.selection.namespaces.1');
  });

  it('a backup may still exclude a protected namespace, which changes nothing', async () => {
    const selection = { scope: 'FULL_CLUSTER_EXCEPT', excludedNamespaces: ['kube-system'] };
    expectStatus(await client.post('/backup-definitions', { name: name('b'), clusterId, selection }), 201);
  });

  it.each([
    [{ transforms: { namespaceMapping: { shop: 'kube-system' } } }, 'body.transforms.namespaceMapping.shop'],
    [{ transforms: { namespaceMapping: { shop: 'haven-system' } } }, 'body.transforms.namespaceMapping.shop'],
    [{ transforms: { namespacePrefix: 'kube-' } }, 'body.transforms.namespacePrefix'],
    [{ transforms: { namespacePrefix: 'ku' } }, 'body.transforms'],
    [{ selection: { namespaces: ['kube-system'] } }, 'body.selection.namespaces.0'],
  ])('a restore with %j is refused naming %s', async (extra, field) => {
    refused(await client.post('/restores', { name: name('r'), recoveryPointId, targetClusterId: clusterId, ...extra }), field);
  });

  it.each([
    [{ destination: { namespaces: ['shop', 'kube-system'] } }, 'body.destination.namespaces.1'],
    [{ selection: { scope: 'SELECTED_NAMESPACES', namespaces: ['haven-system'] } }, 'body.selection.namespaces.0'],
    [{ transforms: { namespaceMapping: { 'kube-system': 'shop' } } }, 'body.transforms.namespaceMapping.kube-system'],
    [{ transforms: { namespaceMapping: { shop: 'haven-system' } } }, 'body.transforms.namespaceMapping.shop'],
  ])('a replication with %j is refused naming %s', async (extra, field) => {
    const destination = { clusterId: otherClusterId, namespaces: ['shop'], ...('destination' in extra ? extra.destination : {}) };
    const body = { name: name('rep'), sourceClusterId: clusterId, runNow: false, ...extra, destination };
    refused(await client.post('/replication-definitions', body), field);
  });

  it('an app hook naming a protected namespace is refused', async () => {
    const hook = { name: name('h'), type: 'PRE_BACKUP', command: ['sh', '-c', 'sync'], podSelector: 'app:db', namespaces: ['shop', 'kube-system'] };
    refused(await client.post('/app-hooks', hook), 'body.namespaces.1');
  });
});
