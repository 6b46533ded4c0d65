import { AppsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { stackEnv, uniqueName } from '../support/stack-env.js';

function kubeConfig(envName: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(stackEnv(envName));
  return kc;
}

async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

const snapshots = { group: 'snapshot.storage.k8s.io', version: 'v1', plural: 'volumesnapshots' };

describe('kubernetes control plane from the local stack', () => {
  const kc = kubeConfig('KUBECONFIG');
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);

  it('stores a namespace and a VolumeSnapshot and reads them back', async () => {
    const namespace = uniqueName('smoke');
    await core.createNamespace({ body: { metadata: { name: namespace, labels: { app: 'haven-smoke' } } } });
    const readNs = await core.readNamespace({ name: namespace });
    expect(readNs.metadata?.labels?.app).toBe('haven-smoke');

    await custom.createNamespacedCustomObject({
      ...snapshots,
      namespace,
      body: {
        apiVersion: 'snapshot.storage.k8s.io/v1',
        kind: 'VolumeSnapshot',
        metadata: { name: 'data-snap' },
        spec: { volumeSnapshotClassName: 'csi-snapclass', source: { persistentVolumeClaimName: 'data' } },
      },
    });
    const snapshot = (await custom.getNamespacedCustomObject({ ...snapshots, namespace, name: 'data-snap' })) as {
      spec: { source: { persistentVolumeClaimName?: string } };
      metadata: { uid?: string };
    };
    expect(snapshot.spec.source.persistentVolumeClaimName).toBe('data');
    expect(snapshot.metadata.uid).toBeTruthy();
  });

  it('rejects a VolumeSnapshot that breaks the CRD schema', async () => {
    const namespace = uniqueName('smoke');
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    const attempt = (spec: unknown): Promise<unknown> =>
      custom
        .createNamespacedCustomObject({
          ...snapshots,
          namespace,
          body: { apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshot', metadata: { name: uniqueName('bad') }, spec },
        })
        .then(() => 'accepted', (err: { code?: number; body?: string }) => err);

    const twoSources = (await attempt({ source: { persistentVolumeClaimName: 'a', volumeSnapshotContentName: 'b' } })) as { code?: number; body?: string };
    expect(twoSources.code).toBe(422);
    expect(twoSources.body).toContain('exactly one of persistentVolumeClaimName and volumeSnapshotContentName');

    const noSource = (await attempt({ volumeSnapshotClassName: 'x' })) as { code?: number; body?: string };
    expect(noSource.code).toBe(422);
    expect(noSource.body).toContain('spec.source');

    const wrongType = (await attempt({ source: { persistentVolumeClaimName: 42 } })) as { code?: number };
    expect(wrongType.code).toBe(422);
  });

  it('runs the controllers a backup product relies on: deployments get pods, namespaces finish deleting', async () => {
    const namespace = uniqueName('smoke');
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    const apps = kc.makeApiClient(AppsV1Api);
    // The default service account is created by the controller manager; the admission plugin needs it.
    await eventually(() => core.readNamespacedServiceAccount({ name: 'default', namespace }), 'default service account');
    await apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name: 'web' },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'web' } },
          template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } },
        },
      },
    });
    const pods = await eventually(async () => {
      const list = await core.listNamespacedPod({ namespace, labelSelector: 'app=web' });
      return list.items.length === 2 ? list.items : undefined;
    }, 'two pods from the deployment');
    expect(pods[0]?.metadata?.ownerReferences?.[0]?.kind).toBe('ReplicaSet');

    await core.deleteNamespace({ name: namespace });
    await eventually(
      () => core.readNamespace({ name: namespace }).then(() => undefined, (err: { code?: number }) => (err.code === 404 ? true : undefined)),
      'namespace deletion to finish',
      120_000,
    );
  });

  it('runs a second, independent control plane', async () => {
    const second = kubeConfig('KUBECONFIG_B');
    expect(second.getCurrentCluster()?.server).not.toBe(kc.getCurrentCluster()?.server);
    const namespace = uniqueName('only-in-a');
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    const inB = await second
      .makeApiClient(CoreV1Api)
      .readNamespace({ name: namespace })
      .then(() => 'present', (err: { code?: number }) => err.code);
    expect(inB).toBe(404);
    const crds = await second.makeApiClient(CustomObjectsApi).listClusterCustomObject({ ...snapshots });
    expect(crds).toHaveProperty('items');
  });
});
