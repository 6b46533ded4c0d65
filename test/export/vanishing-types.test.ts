import { ApiextensionsV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectionPath, discoverResourceTypes, listAll, servedOrGone, type ResourceType } from '../../activities/cluster/export/discovery.js';
import { KubeApiError, KubeRestClient } from '../../lib/kube/rest-client.js';
import { eventually } from '../emulator/helpers/cluster.js';
import { stackEnv } from '../support/stack-env.js';

// A CRD deleted while a backup runs: discovery listed its type, then the type is gone. Its objects went
// with it, so the export must read it as empty rather than fail every backup that overlaps the delete.
const id = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 5)}`;
const group = `vanish-${id}.haven.test`;
const crdName = `vanishers.${group}`;

const kc = new KubeConfig();
kc.loadFromFile(stackEnv('KUBECONFIG'));
const extensions = kc.makeApiClient(ApiextensionsV1Api);
const client = new KubeRestClient(kc);

let vanished: ResourceType;

beforeAll(async () => {
  await extensions.createCustomResourceDefinition({
    body: {
      metadata: { name: crdName },
      spec: {
        group,
        scope: 'Namespaced',
        names: { plural: 'vanishers', singular: 'vanisher', kind: 'Vanisher', listKind: 'VanisherList' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', x_kubernetes_preserve_unknown_fields: true } } }],
      },
    },
  });
  vanished = await eventually(async () => (await discoverResourceTypes(client)).find((t) => t.group === group), `${crdName} to be served`);
  await extensions.deleteCustomResourceDefinition({ name: crdName });
  await eventually(
    () => client.get(collectionPath(vanished)).then(() => false, (error: unknown) => error instanceof KubeApiError && error.status === 404),
    `${crdName} to stop being served`,
  );
});

afterAll(async () => {
  await extensions.deleteCustomResourceDefinition({ name: crdName }).catch(() => undefined);
});

describe('a resource type that disappears after discovery', () => {
  it('lists as empty instead of failing the export', async () => {
    expect(await listAll(client, vanished)).toEqual([]);
    expect(await servedOrGone(() => client.get(`/apis/${group}/v1`))).toBeUndefined();
  });

  it('is no longer discovered, and discovery of the rest still works', async () => {
    const types = await discoverResourceTypes(client);
    expect(types.some((t) => t.group === group)).toBe(false);
    expect(types.some((t) => t.id === 'configmaps')).toBe(true);
  });

  it('still fails on any other refusal: only "gone" reads as empty', async () => {
    const stranger = new KubeConfig();
    stranger.loadFromOptions({
      clusters: kc.getClusters(),
      users: [{ name: 'stranger', token: 'not-a-valid-token' }],
      contexts: [{ name: 'stranger', cluster: kc.getCurrentCluster()!.name, user: 'stranger' }],
      currentContext: 'stranger',
    });
    const error = await listAll(new KubeRestClient(stranger), vanished).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeApiError);
    expect((error as KubeApiError).status).not.toBe(404);
  });
});
