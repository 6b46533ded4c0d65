import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyObject } from '../../activities/cluster/restore/apply-object.js';
import { ExistingObjects } from '../../activities/cluster/restore/existing-objects.js';
import { KubeRestClient } from '../../lib/kube/rest-client.js';
import { stackEnv, uniqueName } from '../support/stack-env.js';
import { clusterClients } from './helpers/source-app.js';

const b = clusterClients(stackEnv('KUBECONFIG_B'));
const client = new KubeRestClient(b.kc);
const namespace = uniqueName('listed');
const collectionPath = `/api/v1/namespaces/${namespace}/configmaps`;
const backedUp = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data: { from: 'backup' } });
const dataOf = async (name: string) => (await b.core.readNamespacedConfigMap({ name, namespace })).data;

beforeAll(async () => {
  await b.core.createNamespace({ body: { metadata: { name: namespace } } });
  for (const name of ['kept', 'replaced', 'changed', 'deleted']) await b.core.createNamespacedConfigMap({ namespace, body: { metadata: { name }, data: { from: 'target' } } });
});

afterAll(async () => {
  await b.core.deleteNamespace({ name: namespace }).catch(() => undefined);
  client.close();
});

describe('objects listed before a restore writes them', () => {
  it('lists only collections that receive at least the threshold of objects', async () => {
    const existing = await ExistingObjects.list(client, [collectionPath, collectionPath, `/api/v1/namespaces/${namespace}/secrets`], 2);
    expect(existing.lookup(collectionPath, 'kept')).toEqual({ exists: true, resourceVersion: expect.stringMatching(/^\d+$/) });
    expect(existing.lookup(collectionPath, 'not-there')).toEqual({ exists: false });
    expect(existing.lookup(`/api/v1/namespaces/${namespace}/secrets`, 'kept')).toBeUndefined();
  });

  it('skips or replaces what the list found, and falls back to the live object when the list went stale', async () => {
    const existing = await ExistingObjects.list(client, [collectionPath], 1);
    const listed = (name: string) => existing.lookup(collectionPath, name)!;
    // Changed and deleted after the list: its resourceVersion and its presence are stale.
    await b.core.patchNamespacedConfigMap({ name: 'changed', namespace, body: [{ op: 'replace', path: '/data', value: { from: 'someone else' } }] });
    await b.core.deleteNamespacedConfigMap({ name: 'deleted', namespace });
    const apply = (name: string, policy: 'SKIP' | 'UPDATE') => applyObject(client, { collectionPath, object: backedUp(name), policy, keepExisting: false, listed: listed(name) });

    expect(await apply('kept', 'SKIP')).toEqual({ outcome: 'SKIPPED', reason: 'already exists on the target' });
    expect(await dataOf('kept')).toEqual({ from: 'target' });
    expect(await apply('replaced', 'UPDATE')).toMatchObject({ outcome: 'UPDATED' });
    expect(await dataOf('replaced')).toEqual({ from: 'backup' });
    expect(await apply('changed', 'UPDATE')).toMatchObject({ outcome: 'UPDATED' });
    expect(await dataOf('changed')).toEqual({ from: 'backup' });
    expect(await apply('deleted', 'UPDATE')).toMatchObject({ outcome: 'CREATED' });
    expect(await dataOf('deleted')).toEqual({ from: 'backup' });

    // Listed as absent but created meanwhile: the refused create finds it, as without a list.
    const late = await applyObject(client, { collectionPath, object: backedUp('kept'), policy: 'SKIP', keepExisting: false, listed: { exists: false } });
    expect(late).toEqual({ outcome: 'SKIPPED', reason: 'already exists on the target' });
  });
});
