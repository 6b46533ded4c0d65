import {
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  RbacAuthorizationV1Api,
  StorageV1Api,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportResources, type ExportedResource } from '../../activities/cluster/export/export-resources.js';
import type { ExportSelection } from '../../activities/cluster/export/selection.js';
import { KubeRestClient } from '../../lib/kube/rest-client.js';
import { parseLabelSelector } from '../../lib/common/label-selector.js';
import { ensureWidgetCrd, WIDGET_CRD_NAME, WIDGET_GROUP } from '../fixtures/sample-app-crd.js';
import { stackEnv } from '../support/stack-env.js';

const id = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 5)}`;
const ns = { shop: `exp-${id}-shop`, other: `exp-${id}-other` };
const names = {
  storageClass: `exp-${id}-sc`,
  pv: `exp-${id}-pv`,
  pvOther: `exp-${id}-pv-other`,
  // The shared Widget CRD of the sample app, created when absent and never deleted (deleting a CRD takes
  // every file's custom resources of that type with it). Only this run's Widget, in its own namespace, is
  // this file's.
  crdGroup: WIDGET_GROUP,
  crbRole: `exp-${id}-crb-role`,
  crb: `exp-${id}-crb`,
  rbRole: `exp-${id}-rb-role`,
  unrelatedRole: `exp-${id}-unrelated`,
};
const crdName = WIDGET_CRD_NAME;
const prod = { app: 'web', env: 'prod' };

const kc = new KubeConfig();
kc.loadFromFile(stackEnv('KUBECONFIG'));
const core = kc.makeApiClient(CoreV1Api);
const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
const storage = kc.makeApiClient(StorageV1Api);
const custom = kc.makeApiClient(CustomObjectsApi);
const client = new KubeRestClient(kc);

function selection(partial: Partial<Omit<ExportSelection, 'labels'>> & { labels?: string }): ExportSelection {
  const parsed = parseLabelSelector(partial.labels ?? '');
  if (!parsed.ok) throw new Error(parsed.error.message);
  return { scope: 'FULL_CLUSTER', namespaces: [], excludedNamespaces: [], resourceTypes: [], ...partial, labels: parsed.selector };
}

/** `type/namespace/name` of every exported object that this test created (the cluster holds others too). */
function ours(resources: ExportedResource[]): string[] {
  return resources
    .filter((r) => r.name.includes(id) || (r.namespace ?? '').includes(id) || r.name === 'data' || r.name === 'w1' || r.name === crdName)
    .filter((r) => !r.namespace || r.namespace.includes(id))
    .map((r) => `${r.typeId}/${r.namespace ? `${r.namespace}/` : ''}${r.name}`)
    .sort();
}

async function createFixture(): Promise<void> {
  for (const name of Object.values(ns)) await core.createNamespace({ body: { metadata: { name, labels: { tier: 'web' } } } });
  await ensureWidgetCrd(kc);
  await storage.createStorageClass({ body: { metadata: { name: names.storageClass, labels: prod }, provisioner: 'example.com/none' } });
  for (const [pv, namespace, claim] of [[names.pv, ns.shop, 'data'], [names.pvOther, ns.other, 'other-data']] as const) {
    await core.createPersistentVolume({
      body: {
        metadata: { name: pv, labels: prod },
        spec: {
          capacity: { storage: '1Gi' },
          accessModes: ['ReadWriteOnce'],
          storageClassName: names.storageClass,
          hostPath: { path: `/tmp/${pv}` },
          claimRef: { namespace, name: claim },
        },
      },
    });
    await core.createNamespacedPersistentVolumeClaim({
      namespace,
      body: {
        metadata: { name: claim, labels: prod },
        spec: { accessModes: ['ReadWriteOnce'], storageClassName: names.storageClass, volumeName: pv, resources: { requests: { storage: '1Gi' } } },
      },
    });
  }
  await core.createNamespacedConfigMap({ namespace: ns.shop, body: { metadata: { name: 'web-config', labels: prod }, data: { a: '1' } } });
  await core.createNamespacedConfigMap({ namespace: ns.shop, body: { metadata: { name: 'db-config', labels: { app: 'db', env: 'prod' } }, data: { b: '2' } } });
  await core.createNamespacedSecret({ namespace: ns.shop, body: { metadata: { name: 'web-secret', labels: { app: 'web', env: 'dev' } }, stringData: { token: 'x' } } });
  await core.createNamespacedConfigMap({ namespace: ns.other, body: { metadata: { name: 'other-config', labels: prod }, data: { c: '3' } } });
  await core.createNamespacedServiceAccount({ namespace: ns.shop, body: { metadata: { name: 'web-sa', labels: prod } } });
  for (const role of [names.crbRole, names.rbRole, names.unrelatedRole]) {
    await rbac.createClusterRole({ body: { metadata: { name: role, labels: prod }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }] } });
  }
  await rbac.createClusterRoleBinding({
    body: {
      metadata: { name: names.crb, labels: prod },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: names.crbRole },
      subjects: [{ kind: 'ServiceAccount', name: 'web-sa', namespace: ns.shop }],
    },
  });
  await rbac.createNamespacedRoleBinding({
    namespace: ns.shop,
    body: {
      metadata: { name: 'web-rb', labels: prod },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: names.rbRole },
      subjects: [{ kind: 'ServiceAccount', name: 'web-sa', namespace: ns.shop }],
    },
  });
  await custom.createNamespacedCustomObject({
    group: names.crdGroup,
    version: 'v1',
    namespace: ns.shop,
    plural: 'widgets',
    body: { apiVersion: `${names.crdGroup}/v1`, kind: 'Widget', metadata: { name: 'w1', labels: prod }, spec: { size: 3 } },
  });
}

// Every namespace also holds what the controllers create in it (root CA config map, default service account).
const shopAll = [
  `configmaps/${ns.shop}/db-config`,
  `configmaps/${ns.shop}/kube-root-ca.crt`,
  `serviceaccounts/${ns.shop}/default`,
  `configmaps/${ns.shop}/web-config`,
  `persistentvolumeclaims/${ns.shop}/data`,
  `rolebindings.rbac.authorization.k8s.io/${ns.shop}/web-rb`,
  `secrets/${ns.shop}/web-secret`,
  `serviceaccounts/${ns.shop}/web-sa`,
  `widgets.${names.crdGroup}/${ns.shop}/w1`,
].sort();

describe('resource export selection', () => {
  beforeAll(createFixture);
  afterAll(async () => {
    const quiet = (p: Promise<unknown>): Promise<unknown> => p.catch(() => undefined);
    for (const name of Object.values(ns)) await quiet(core.deleteNamespace({ name }));
    for (const pv of [names.pv, names.pvOther]) await quiet(core.deletePersistentVolume({ name: pv }));
    await quiet(storage.deleteStorageClass({ name: names.storageClass }));
    for (const role of [names.crbRole, names.rbRole, names.unrelatedRole]) await quiet(rbac.deleteClusterRole({ name: role }));
    await quiet(rbac.deleteClusterRoleBinding({ name: names.crb }));
  });

  it('Select Namespaces takes the namespace and only the cluster-scoped objects tied to it', async () => {
    const resources = await exportResources(client, selection({ scope: 'SELECTED_NAMESPACES', namespaces: [ns.shop] }));
    expect(ours(resources)).toEqual(
      [
        ...shopAll,
        `clusterrolebindings.rbac.authorization.k8s.io/${names.crb}`,
        `clusterroles.rbac.authorization.k8s.io/${names.crbRole}`,
        `clusterroles.rbac.authorization.k8s.io/${names.rbRole}`,
        `customresourcedefinitions.apiextensions.k8s.io/${crdName}`,
        `namespaces/${ns.shop}`,
        `persistentvolumes/${names.pv}`,
        `storageclasses.storage.k8s.io/${names.storageClass}`,
      ].sort(),
    );
    // Nothing from other namespaces, and no cluster-scoped object unrelated to the selection.
    expect(resources.every((r) => !r.namespace || r.namespace === ns.shop)).toBe(true);
    expect(resources.find((r) => r.name === 'cluster-admin')).toBeUndefined();
    const crd = resources.find((r) => r.name === crdName);
    expect(crd?.reason).toBe('dependency');
    expect(resources.find((r) => r.name === names.pv)?.reason).toBe('associated');
  });

  it('labels are ANDed across keys and ORed across the values of one key', async () => {
    const both = await exportResources(client, selection({ scope: 'SELECTED_NAMESPACES', namespaces: [ns.shop], labels: 'app:web,db env:prod' }));
    const namespaced = ours(both).filter((r) => r.includes(`/${ns.shop}/`));
    expect(namespaced).toEqual(shopAll.filter((r) => !r.startsWith('secrets/') && !r.includes('kube-root-ca') && !r.endsWith('/default')));

    const dev = await exportResources(client, selection({ scope: 'SELECTED_NAMESPACES', namespaces: [ns.shop], labels: 'app:web env:dev' }));
    expect(ours(dev)).toEqual([`namespaces/${ns.shop}`, `secrets/${ns.shop}/web-secret`]);
    expect(dev.find((r) => r.typeId === 'namespaces')?.reason).toBe('dependency');
  });

  it('Full Cluster with exclusions drops the excluded namespaces and the PVs claimed from them', async () => {
    const resources = await exportResources(client, selection({ scope: 'FULL_CLUSTER_EXCEPT', excludedNamespaces: [ns.other] }));
    const keys = ours(resources);
    expect(keys).toEqual(expect.arrayContaining([...shopAll, `persistentvolumes/${names.pv}`, `clusterroles.rbac.authorization.k8s.io/${names.unrelatedRole}`]));
    expect(keys.filter((k) => k.includes(ns.other) || k.includes(names.pvOther))).toEqual([]);
    expect(resources.some((r) => r.namespace === 'default' || r.name === 'default')).toBe(true);
  });

  it('resource types limit the export, and runtime types are never exported', async () => {
    const resources = await exportResources(client, selection({ resourceTypes: ['configmaps'], labels: 'app:web' }));
    expect(ours(resources)).toEqual([`configmaps/${ns.other}/other-config`, `configmaps/${ns.shop}/web-config`, `namespaces/${ns.other}`, `namespaces/${ns.shop}`]);
    const all = await exportResources(client, selection({}));
    const types = new Set(all.map((r) => r.typeId));
    for (const runtime of ['events', 'nodes', 'endpoints', 'leases.coordination.k8s.io']) expect(types.has(runtime)).toBe(false);
    expect(all.every((r) => r.object.metadata.managedFields === undefined)).toBe(true);
    expect(all.find((r) => r.name === 'w1' && r.namespace === ns.shop)?.object.apiVersion).toBe(`${names.crdGroup}/v1`);
  });
});

describe('protected namespaces', () => {
  const configMap = `exp-${id}-protected`;
  const protectedNamespaces = ['kube-system', 'haven-system'];
  const quiet = (p: Promise<unknown>): Promise<unknown> => p.catch(() => undefined);

  beforeAll(async () => {
    // haven-system exists where the agent is installed; the stack's API server has no agent in it.
    await quiet(core.createNamespace({ body: { metadata: { name: 'haven-system' } } }));
    for (const namespace of protectedNamespaces) {
      await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: configMap, labels: prod }, data: { a: 'b' } } });
    }
  });
  afterAll(async () => {
    for (const namespace of protectedNamespaces) await quiet(core.deleteNamespacedConfigMap({ namespace, name: configMap }));
  });

  it.each([
    ['Full Cluster', {}],
    ['a label selection', { labels: 'app:web' }],
    ['Full Cluster with exclusions', { scope: 'FULL_CLUSTER_EXCEPT' as const, excludedNamespaces: ['default'] }],
  ])('%s never exports kube-* or haven-system, neither their objects nor the namespaces', async (_case, partial) => {
    const resources = await exportResources(client, selection(partial));
    const inProtected = resources.filter((r) => r.namespace === 'haven-system' || (r.namespace ?? '').startsWith('kube-'));
    const protectedNamespaceObjects = resources.filter((r) => r.typeId === 'namespaces' && (r.name === 'haven-system' || r.name.startsWith('kube-')));
    expect(inProtected.map((r) => `${r.typeId}/${r.namespace}/${r.name}`)).toEqual([]);
    expect(protectedNamespaceObjects.map((r) => r.name)).toEqual([]);
    expect(resources.filter((r) => r.name === configMap)).toEqual([]);
    expect(resources.length).toBeGreaterThan(0);
  });
});
