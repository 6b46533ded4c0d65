import {
  ApiextensionsV1Api,
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  RbacAuthorizationV1Api,
  StorageV1Api,
} from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';

/** Typed clients for one cluster of the local stack. */
export function clusterClients(kubeconfigPath: string) {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  return {
    kc,
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    rbac: kc.makeApiClient(RbacAuthorizationV1Api),
    storage: kc.makeApiClient(StorageV1Api),
    crds: kc.makeApiClient(ApiextensionsV1Api),
    custom: kc.makeApiClient(CustomObjectsApi),
  };
}
export type ClusterClients = ReturnType<typeof clusterClients>;

/**
 * The Gadget CRD every run shares: created when absent and never deleted, since deleting a CRD takes every
 * file's Gadgets with it. A run's own objects are its Gadgets, in its own namespaces.
 */
const GADGET_GROUP = 'restore.haven.test';

/** Names of one test run's objects; cluster-scoped ones carry the run id so runs never collide (the shared CRD aside). */
export function sourceNames(id: string) {
  const group = GADGET_GROUP;
  return {
    app: `rst-${id}-app`,
    other: `rst-${id}-other`,
    storageClass: `rst-${id}-sc`,
    targetStorageClass: `rst-${id}-sc-b`,
    pv: `rst-${id}-pv`,
    clusterRole: `rst-${id}-role`,
    clusterRoleBinding: `rst-${id}-crb`,
    group,
    crd: `gadgets.${group}`,
  };
}
export type SourceNames = ReturnType<typeof sourceNames>;

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(100);
  }
  throw new Error(`gave up waiting for ${what}`);
}

const labels = { app: 'web' };

/**
 * The application the restore tests back up from cluster A: config, secrets, RBAC bound to a service
 * account (namespaced and cluster-wide), a NodePort and a headless service, a Deployment with its
 * controller-owned pods, an unowned pod, a CRD with a custom resource owning a config map, and a
 * claim bound to a PV of a test storage class.
 */
export async function createSourceApp(c: ClusterClients, n: SourceNames): Promise<void> {
  for (const name of [n.app, n.other]) await c.core.createNamespace({ body: { metadata: { name, labels: { tier: 'web' } } } });
  await c.storage.createStorageClass({ body: { metadata: { name: n.storageClass }, provisioner: 'example.com/none' } });
  await c.core.createPersistentVolume({
    body: {
      metadata: { name: n.pv },
      spec: {
        capacity: { storage: '1Gi' },
        accessModes: ['ReadWriteOnce'],
        storageClassName: n.storageClass,
        hostPath: { path: `/tmp/${n.pv}` },
        claimRef: { namespace: n.app, name: 'data' },
      },
    },
  });
  await c.core.createNamespacedPersistentVolumeClaim({
    namespace: n.app,
    body: { metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: n.storageClass, volumeName: n.pv, resources: { requests: { storage: '1Gi' } } } },
  });
  await c.core.createNamespacedConfigMap({ namespace: n.app, body: { metadata: { name: 'web-config', labels }, data: { greeting: 'hello' } } });
  await c.core.createNamespacedConfigMap({ namespace: n.other, body: { metadata: { name: 'other-config' }, data: { x: '1' } } });
  await c.core.createNamespacedSecret({ namespace: n.app, body: { metadata: { name: 'web-secret', labels }, stringData: { token: 's3cret' } } });
  await c.core.createNamespacedServiceAccount({ namespace: n.app, body: { metadata: { name: 'web-sa', labels } } });
  await c.rbac.createClusterRole({ body: { metadata: { name: n.clusterRole }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }] } });
  const subjects = [{ kind: 'ServiceAccount', name: 'web-sa', namespace: n.app }];
  const roleRef = { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: n.clusterRole };
  await c.rbac.createNamespacedRoleBinding({ namespace: n.app, body: { metadata: { name: 'web-rb', labels }, roleRef, subjects } });
  await c.rbac.createClusterRoleBinding({ body: { metadata: { name: n.clusterRoleBinding }, roleRef, subjects } });
  await c.core.createNamespacedService({
    namespace: n.app,
    body: { metadata: { name: 'web', labels }, spec: { type: 'NodePort', selector: labels, ports: [{ name: 'http', port: 80, targetPort: 8080 }] } },
  });
  await c.core.createNamespacedService({
    namespace: n.app,
    body: { metadata: { name: 'web-headless' }, spec: { clusterIP: 'None', selector: labels, ports: [{ name: 'http', port: 80 }] } },
  });
  const podSpec = { containers: [{ name: 'web', image: 'registry.invalid/web:1' }] };
  await c.apps.createNamespacedDeployment({
    namespace: n.app,
    body: { metadata: { name: 'web', labels }, spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: podSpec } } },
  });
  await c.core.createNamespacedPod({ namespace: n.app, body: { metadata: { name: 'solo' }, spec: podSpec } });
  await c.crds.createCustomResourceDefinition({
    body: {
      metadata: { name: n.crd },
      spec: {
        group: n.group,
        scope: 'Namespaced',
        names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget', listKind: 'GadgetList' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } } } }],
      },
    },
  }).catch((err: { code?: number }) => {
    if (err.code !== 409) throw err;
  });
  await until('the CRD to be established', async () => {
    const crd = await c.crds.readCustomResourceDefinition({ name: n.crd });
    return (crd.status?.conditions ?? []).some((x) => x.type === 'Established' && x.status === 'True') ? true : undefined;
  });
  const gadget = (await c.custom.createNamespacedCustomObject({
    group: n.group,
    version: 'v1',
    namespace: n.app,
    plural: 'gadgets',
    body: { apiVersion: `${n.group}/v1`, kind: 'Gadget', metadata: { name: 'g1', labels }, spec: { size: 3 } },
  })) as { metadata: { uid: string } };
  await c.core.createNamespacedConfigMap({
    namespace: n.app,
    body: {
      metadata: { name: 'gadget-state', ownerReferences: [{ apiVersion: `${n.group}/v1`, kind: 'Gadget', name: 'g1', uid: gadget.metadata.uid }] },
      data: { state: 'ok' },
    },
  });
  // The export must see what the controllers derive: the deployment's pod, the claim bound to its PV.
  await until('the deployment to create its pod', async () => {
    const pods = await c.core.listNamespacedPod({ namespace: n.app, labelSelector: 'app=web' });
    return pods.items.length > 0 ? true : undefined;
  });
}

/**
 * Deletes a run's objects from one cluster, whatever of them exists; namespaces given as the target names.
 * The shared CRD stays (see GADGET_GROUP): the run's Gadgets go with its namespaces.
 */
export async function deleteRunObjects(c: ClusterClients, n: SourceNames, namespaces: string[]): Promise<void> {
  const quiet = (p: Promise<unknown>): Promise<unknown> => p.catch(() => undefined);
  for (const name of namespaces) await quiet(c.core.deleteNamespace({ name }));
  await quiet(c.core.deletePersistentVolume({ name: n.pv }));
  for (const name of [n.storageClass, n.targetStorageClass]) await quiet(c.storage.deleteStorageClass({ name }));
  await quiet(c.rbac.deleteClusterRole({ name: n.clusterRole }));
  await quiet(c.rbac.deleteClusterRoleBinding({ name: n.clusterRoleBinding }));
}
