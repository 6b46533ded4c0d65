import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareRestoredResources } from '../../activities/cluster/drills/compare-resources.js';
import type { TreeEntry } from '../../activities/cluster/restore/read-resource-tree.js';
import { KubeRestClient } from '../../lib/kube/rest-client.js';
import { stackEnv, uniqueName } from '../support/stack-env.js';

const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(stackEnv('KUBECONFIG'));
const core = kubeConfig.makeApiClient(CoreV1Api);
const copy = uniqueName('drill-copy');

/** A backed-up object of namespace `shop` as the resource tree holds it. */
function entry(typeId: string, kind: string, name: string, object: Record<string, unknown>): TreeEntry {
  return { ok: true, resource: { typeId, apiVersion: 'v1', kind, namespace: 'shop', name, reason: 'selected', object: { apiVersion: 'v1', kind, ...object, metadata: { name, namespace: 'shop', ...(object.metadata as object) } } as never } };
}

beforeAll(async () => {
  await core.createNamespace({ body: { metadata: { name: copy } } });
  await core.createNamespacedConfigMap({ namespace: copy, body: { metadata: { name: 'same', labels: { app: 'shop' } }, data: { a: '1' } } });
  await core.createNamespacedConfigMap({ namespace: copy, body: { metadata: { name: 'changed', labels: { app: 'other' } }, data: { a: '2' } } });
  await core.createNamespacedSecret({ namespace: copy, body: { metadata: { name: 'token' }, type: 'Opaque', data: { k: Buffer.from('v').toString('base64') } } });
});

afterAll(async () => {
  await core.deleteNamespace({ name: copy }).catch(() => undefined);
});

describe('comparing a drill copy with the recovery point', () => {
  it('finds a missing object, changed data and labels, and passes what matches; generated objects are left out', async () => {
    const entries = [
      entry('configmaps', 'ConfigMap', 'same', { metadata: { labels: { app: 'shop' } }, data: { a: '1' } }),
      entry('configmaps', 'ConfigMap', 'changed', { metadata: { labels: { app: 'shop' } }, data: { a: '1' } }),
      entry('configmaps', 'ConfigMap', 'gone', { data: { a: '1' } }),
      entry('secrets', 'Secret', 'token', { type: 'Opaque', data: { k: Buffer.from('v').toString('base64') } }),
      // The target publishes its own root CA; a restore never writes it, so a drill does not look for it.
      entry('configmaps', 'ConfigMap', 'kube-root-ca.crt', { data: { 'ca.crt': 'source CA' } }),
      entry('events', 'Event', 'shop.1', {}),
    ];
    const result = await compareRestoredResources(new KubeRestClient(kubeConfig), entries, new Map([['shop', copy]]));
    expect(result.compared).toBe(4);
    expect(result.differences).toEqual([
      { kind: 'RESOURCE', subject: `${copy}/ConfigMap/changed`, message: 'label app is "other", backed up "shop"; data differs from the recovery point' },
      { kind: 'RESOURCE', subject: `${copy}/ConfigMap/gone`, message: 'missing from the restored copy' },
    ]);
  });

  it('reports an entry of the tree that could not be read', async () => {
    const unreadable: TreeEntry = { ok: false, entry: { path: 'shop/configmaps/broken.json' } as never, reason: 'not JSON' };
    const result = await compareRestoredResources(new KubeRestClient(kubeConfig), [unreadable], new Map([['shop', copy]]));
    expect(result.differences).toEqual([{ kind: 'RESOURCE', subject: 'shop/configmaps/broken.json', message: 'not readable in the recovery point: not JSON' }]);
  });
});
