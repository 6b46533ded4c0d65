import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeApiError, KubeRestClient } from '../../lib/kube/rest-client.js';
import { stackEnv } from '../support/stack-env.js';

// A listing that outlives an etcd compaction: its continuation points at a version that is gone. The stack's
// etcd is compacted here on purpose (as kube-apiserver does every 5 minutes), between two pages.
const namespace = `expired-continue-${Date.now().toString(36)}`;
const kc = new KubeConfig();
kc.loadFromFile(stackEnv('KUBECONFIG'));
const core = kc.makeApiClient(CoreV1Api);
const client = new KubeRestClient(kc);
const etcd = stackEnv('KUBE_ETCD_URL');
const NAMES = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
const collection = `/api/v1/namespaces/${namespace}/configmaps`;

/**
 * Changes one object and compacts etcd's history up to that change (through etcd's v3 JSON gateway): the
 * continuation from before it now names a compacted version. Only up to there, not to etcd's latest
 * revision, so listings of tests running beside this one keep what the API server's own compaction (of
 * what is 5 minutes old) would leave them.
 */
async function changeAndCompact(name: string, version: string): Promise<void> {
  const changed = await client.mergePatch<{ metadata: { resourceVersion: string } }>(`${collection}/${name}`, { data: { version } });
  const answer = await fetch(`${etcd}/v3/kv/compaction`, { method: 'POST', body: JSON.stringify({ revision: changed.metadata.resourceVersion, physical: true }) });
  expect(answer.ok, await answer.text()).toBe(true);
}

beforeAll(async () => {
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  for (const name of NAMES) await core.createNamespacedConfigMap({ namespace, body: { metadata: { name }, data: { version: '1' } } });
});

afterAll(async () => {
  await core.deleteNamespace({ name: namespace }).catch(() => undefined);
  client.close();
});

describe('a listing whose continuation expired', () => {
  it('the server refuses the old continuation with 410 and a token to go on with', async () => {
    const first = await client.get<{ metadata: { continue: string } }>(`${collection}?limit=2`);
    await changeAndCompact('f', 'bumped');
    const refused = await client.get(`${collection}?limit=2&continue=${encodeURIComponent(first.metadata.continue)}`).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(KubeApiError);
    expect((refused as KubeApiError).status).toBe(410);
    expect((refused as KubeApiError).continueToken).toBeTruthy();
  });

  it('goes on after the last object it gave: every object once, changes made meanwhile at their new version', async () => {
    // The namespace's own kube-root-ca.crt is listed too.
    const all = (await client.get<{ items: { metadata: { name: string } }[] }>(collection)).items.map((item) => item.metadata.name);
    expect(all).toEqual(expect.arrayContaining(NAMES));
    const seen: { name: string; version: string }[] = [];
    for await (const item of client.list<{ metadata: { name: string }; data: { version: string } }>(collection, {}, 2)) {
      seen.push({ name: item.metadata.name, version: item.data.version });
      // After the first page: change an object not yet listed, and compact the version the continuation names.
      if (seen.length === 2) {
        await changeAndCompact('e', '2');
      }
    }
    expect(seen.map(({ name }) => name)).toEqual(all);
    expect(seen.find(({ name }) => name === 'e')?.version).toBe('2');
  });
});
