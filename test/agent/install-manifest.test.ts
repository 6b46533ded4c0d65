import { AuthorizationV1Api, CoreV1Api, KubeConfig, KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { discoverResourceTypes } from '../../activities/cluster/export/discovery.js';
import { KubeRestClient } from '../../lib/kube/rest-client.js';
import { AGENT_NAME, AGENT_NAMESPACE } from '../../services/api/resources/clusters/agent-manifest.js';
import { createCluster } from '../api/helpers/fixtures.js';
import { authorized, startTestApi, type TestApi } from '../api/helpers/test-api.js';
import { stackEnv, uniqueName } from '../support/stack-env.js';

/**
 * The manifest a registration returns is applied, as a user would, with server-side apply to the local
 * stack's kube-apiserver (RBAC authorization on); the API server then says what the agent's service
 * account may do.
 */
const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(stackEnv('KUBECONFIG'));
const objects = KubernetesObjectApi.makeApiClient(kubeConfig);
const core = kubeConfig.makeApiClient(CoreV1Api);
const authorization = kubeConfig.makeApiClient(AuthorizationV1Api);
/**
 * The manifest names a fixed namespace and ClusterRoleBinding. Applied as they are, a rerun (while the last
 * run's namespace is still terminating) or another run on the same API server would share them with this
 * one, so each run applies the manifest under a namespace and binding of its own, and deletes only those.
 */
const installNamespace = uniqueName(AGENT_NAMESPACE);
const bindingName = uniqueName(AGENT_NAME);
const serviceAccountUser = `system:serviceaccount:${installNamespace}:${AGENT_NAME}`;

function relocated(document: KubernetesObject): KubernetesObject {
  const copy = structuredClone(document) as KubernetesObject & { subjects?: { namespace?: string }[] };
  const metadata = (copy.metadata ??= {});
  if (copy.kind === 'Namespace' && metadata.name === AGENT_NAMESPACE) metadata.name = installNamespace;
  if (metadata.namespace === AGENT_NAMESPACE) metadata.namespace = installNamespace;
  if (copy.kind === 'ClusterRoleBinding' && metadata.name === AGENT_NAME) metadata.name = bindingName;
  for (const subject of copy.subjects ?? []) if (subject.namespace === AGENT_NAMESPACE) subject.namespace = installNamespace;
  return copy;
}

let api: TestApi;
let clusterId: string;
let token: string;
let declared: KubernetesObject[];
let documents: KubernetesObject[];

async function agentMay(attributes: { verb: string; resource: string; group?: string; subresource?: string; namespace?: string }): Promise<boolean> {
  const review = await authorization.createSubjectAccessReview({
    body: {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: {
        user: serviceAccountUser,
        groups: ['system:serviceaccounts', `system:serviceaccounts:${installNamespace}`, 'system:authenticated'],
        resourceAttributes: { group: attributes.group ?? '', ...attributes },
      },
    },
  });
  return review.status?.allowed === true;
}

beforeAll(async () => {
  api = await startTestApi();
  const { keys } = await api.createOrganization();
  const registered = await createCluster(authorized(api.app, keys.operator));
  clusterId = registered.id;
  token = registered.agentToken;
  declared = parseAllDocuments(registered.agentManifest).map((document) => document.toJS() as KubernetesObject);
  documents = declared.map(relocated);
  // Applied in manifest order, as `kubectl apply --server-side -f` does: the namespace comes first.
  for (const document of documents) await objects.patch(document, undefined, undefined, 'haven-install-test', true, PatchStrategy.ServerSideApply);
});

afterAll(async () => {
  await api?.close();
  for (const document of [...(documents ?? [])].reverse()) await objects.delete(document).catch(() => undefined);
});

describe('the agent install manifest applied with server-side apply', () => {
  it('creates every object it declares, with the cluster\'s identity and token', async () => {
    expect(declared.map((d) => d.kind)).toEqual(['Namespace', 'ServiceAccount', 'ClusterRoleBinding', 'Secret', 'Deployment']);
    expect(declared.map((d) => d.metadata?.namespace ?? d.metadata?.name)).toEqual([AGENT_NAMESPACE, AGENT_NAMESPACE, AGENT_NAME, AGENT_NAMESPACE, AGENT_NAMESPACE]);
    for (const document of documents) {
      const live = await objects.read({ apiVersion: document.apiVersion!, kind: document.kind!, metadata: { name: document.metadata!.name!, namespace: document.metadata!.namespace! } });
      expect(live.metadata?.uid, `${document.kind} ${document.metadata?.name}`).toBeTruthy();
      expect(live.metadata?.managedFields?.some((field) => field.manager === 'haven-install-test' && field.operation === 'Apply')).toBe(true);
    }
    const secret = await core.readNamespacedSecret({ namespace: installNamespace, name: AGENT_NAME });
    expect(Buffer.from(secret.data?.token ?? '', 'base64').toString('utf8')).toBe(token);
  });

  it('runs the agent script of the image for this cluster, pointed at the gateway with its token from a secret and no payload key', async () => {
    const deployment = (await objects.read({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: AGENT_NAME, namespace: installNamespace } })) as KubernetesObject & {
      spec: { template: { spec: { serviceAccountName: string; containers: { command: string[]; env: { name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }[] }[] } } };
    };
    const pod = deployment.spec.template.spec;
    expect(pod.serviceAccountName).toBe(AGENT_NAME);
    const [container] = pod.containers;
    expect(container?.command).toEqual(['npm', 'run', 'agent']);
    const env = new Map(container?.env.map((variable) => [variable.name, variable]));
    expect(env.get('HAVEN_CLUSTER_ID')?.value).toBe(clusterId);
    expect(env.get('HAVEN_GATEWAY_ADDRESS')?.value).toBeTruthy();
    expect(env.has('HAVEN_TEMPORAL_ADDRESS')).toBe(false);
    expect(env.get('HAVEN_AGENT_TOKEN')?.valueFrom?.secretKeyRef).toEqual({ name: AGENT_NAME, key: 'token' });
    // A cluster never holds a payload key: the gateway opens and seals its payloads.
    expect(env.has('HAVEN_PAYLOAD_KEY')).toBe(false);
  });

  it('lets the agent\'s service account do the backup and restore work: snapshots, claims, data-mover pods, hooks', async () => {
    const needs = [
      { verb: 'create', group: 'snapshot.storage.k8s.io', resource: 'volumesnapshots', namespace: 'shop' },
      { verb: 'delete', group: 'snapshot.storage.k8s.io', resource: 'volumesnapshots', namespace: 'shop' },
      { verb: 'list', group: 'snapshot.storage.k8s.io', resource: 'volumesnapshotclasses' },
      { verb: 'get', group: 'snapshot.storage.k8s.io', resource: 'volumesnapshotcontents' },
      // Kept snapshots are switched to Retain, and contents created for cross-namespace restores are removed.
      { verb: 'patch', group: 'snapshot.storage.k8s.io', resource: 'volumesnapshotcontents' },
      { verb: 'create', group: 'snapshot.storage.k8s.io', resource: 'volumesnapshotcontents' },
      { verb: 'delete', group: 'snapshot.storage.k8s.io', resource: 'volumesnapshotcontents' },
      { verb: 'create', resource: 'secrets', namespace: 'shop' },
      { verb: 'patch', group: 'apps', resource: 'deployments', namespace: 'shop' },
      { verb: 'create', resource: 'persistentvolumeclaims', namespace: 'shop' },
      { verb: 'delete', resource: 'persistentvolumeclaims', namespace: 'shop' },
      { verb: 'create', resource: 'persistentvolumes' },
      { verb: 'create', resource: 'pods', namespace: 'shop' },
      { verb: 'delete', resource: 'pods', namespace: 'shop' },
      { verb: 'create', resource: 'pods', subresource: 'exec', namespace: 'shop' },
      { verb: 'get', resource: 'pods', subresource: 'log', namespace: 'shop' },
      { verb: 'create', resource: 'namespaces' },
      { verb: 'create', group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions' },
      { verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'clusterrolebindings' },
    ];
    const denied = [];
    for (const need of needs) if (!(await agentMay(need))) denied.push(need);
    expect(denied).toEqual([]);
  });

  it('lets the agent list every resource type the cluster serves, as an export reads them', async () => {
    const types = await discoverResourceTypes(new KubeRestClient(kubeConfig));
    expect(types.length).toBeGreaterThan(30);
    const denied = [];
    for (const type of types) if (!(await agentMay({ verb: 'list', group: type.group, resource: type.resource }))) denied.push(type.id);
    expect(denied).toEqual([]);
  });

  it('gives nothing to another service account of the same namespace (the grant is the agent\'s only)', async () => {
    const review = await authorization.createSubjectAccessReview({
      body: {
        spec: {
          user: `system:serviceaccount:${installNamespace}:default`,
          groups: ['system:serviceaccounts', `system:serviceaccounts:${installNamespace}`, 'system:authenticated'],
          resourceAttributes: { verb: 'list', resource: 'secrets', group: '' },
        },
      },
    });
    expect(review.status?.allowed).toBe(false);
  });
});
