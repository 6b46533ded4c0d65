import { AuthorizationV1Api, CoreV1Api, KubeConfig, KubernetesObjectApi, RbacAuthorizationV1Api, type KubernetesObject } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { discoverResourceTypes } from '../../activities/cluster/export/discovery.js';
import { HAVEN_IMAGE_ENV, HAVEN_PROCESS_COMMANDS } from '../../lib/common/haven-image.js';
import { KubeRestClient } from '../../lib/kube/rest-client.js';
import { AGENT_NAME, AGENT_NAMESPACE } from '../../services/api/resources/clusters/agent-manifest.js';
import { AGENT_PERMISSIONS_LABEL } from '../../services/api/resources/clusters/agent-rbac.js';
import { createCluster } from '../api/helpers/fixtures.js';
import { authorized, startTestApi, type TestApi } from '../api/helpers/test-api.js';
import { stackEnv, uniqueName } from '../support/stack-env.js';
import { relocatedInstall, type RelocatedInstall } from './helpers/relocated-install.js';

/**
 * The manifest a registration returns is applied, as a user would, with server-side apply to the local
 * stack's kube-apiserver (RBAC authorization on); the API server then says what the agent's service
 * account may do. It is installed twice: whole, and backup-only (without the restore permissions, as
 * `kubectl apply -l 'haven.io/agent-permissions!=restore'` leaves them out).
 */
const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(stackEnv('KUBECONFIG'));
const objects = KubernetesObjectApi.makeApiClient(kubeConfig);
const core = kubeConfig.makeApiClient(CoreV1Api);
const authorization = kubeConfig.makeApiClient(AuthorizationV1Api);

let api: TestApi;
let clusterId: string;
let token: string;
let manifest: string;
let declared: KubernetesObject[];
let full: RelocatedInstall;
let backupOnly: RelocatedInstall;

beforeAll(async () => {
  api = await startTestApi();
  const { keys } = await api.createOrganization();
  const registered = await createCluster(authorized(api.app, keys.operator));
  clusterId = registered.id;
  token = registered.agentToken;
  manifest = registered.agentManifest;
  declared = parseAllDocuments(manifest).map((document) => document.toJS() as KubernetesObject);
  full = relocatedInstall(kubeConfig, manifest, { manager: 'haven-install-test' });
  backupOnly = relocatedInstall(kubeConfig, manifest, { manager: 'haven-install-test', keep: (d) => d.metadata?.labels?.[AGENT_PERMISSIONS_LABEL] !== 'restore' });
  await full.apply();
  await backupOnly.apply();
});

afterAll(async () => {
  await api?.close();
  await full?.remove();
  await backupOnly?.remove();
});

/** The requests of `attributes` the install's service account is refused. */
async function refused(install: RelocatedInstall, attributes: Parameters<RelocatedInstall['agentMay']>[0][]) {
  const denied = [];
  for (const request of attributes) if (!(await install.agentMay(request))) denied.push(request);
  return denied;
}

/** The requests of `attributes` the install's service account is allowed. */
async function allowed(install: RelocatedInstall, attributes: Parameters<RelocatedInstall['agentMay']>[0][]) {
  const granted = [];
  for (const request of attributes) if (await install.agentMay(request)) granted.push(request);
  return granted;
}

const SNAPSHOTS = 'snapshot.storage.k8s.io';
const RBAC = 'rbac.authorization.k8s.io';

/** Every write a backup makes (activities/cluster/snapshots, mover-pods, hooks), and the reads a copy's status needs. */
const BACKUP_NEEDS = [
  { verb: 'create', group: SNAPSHOTS, resource: 'volumesnapshots', namespace: 'shop' },
  { verb: 'delete', group: SNAPSHOTS, resource: 'volumesnapshots', namespace: 'shop' },
  { verb: 'list', group: SNAPSHOTS, resource: 'volumesnapshots' },
  { verb: 'list', group: SNAPSHOTS, resource: 'volumesnapshotclasses' },
  { verb: 'get', group: SNAPSHOTS, resource: 'volumesnapshotcontents' },
  // Kept snapshots are switched to Retain, and back (then deleted) when they expire.
  { verb: 'patch', group: SNAPSHOTS, resource: 'volumesnapshotcontents' },
  { verb: 'delete', group: SNAPSHOTS, resource: 'volumesnapshotcontents' },
  // Mover pods, their token Secrets and temporary claims, in the copied claim's namespace; found again by label.
  { verb: 'create', resource: 'pods', namespace: 'shop' },
  { verb: 'delete', resource: 'pods', namespace: 'shop' },
  { verb: 'list', resource: 'pods' },
  { verb: 'create', resource: 'secrets', namespace: 'shop' },
  { verb: 'delete', resource: 'secrets', namespace: 'shop' },
  { verb: 'list', resource: 'secrets' },
  { verb: 'create', resource: 'persistentvolumeclaims', namespace: 'shop' },
  { verb: 'delete', resource: 'persistentvolumeclaims', namespace: 'shop' },
  { verb: 'list', resource: 'persistentvolumeclaims' },
  { verb: 'get', resource: 'persistentvolumes' },
  { verb: 'list', resource: 'events', namespace: 'shop' },
  // Hooks: the exec WebSocket is a GET, and the API server checks create too.
  { verb: 'create', resource: 'pods', subresource: 'exec', namespace: 'shop' },
  { verb: 'get', resource: 'pods', subresource: 'exec', namespace: 'shop' },
];

/** What restores and replication resets write (activities/cluster/restore, replication) beyond a backup's writes. */
const RESTORE_WRITES = [
  { verb: 'create', resource: 'namespaces' },
  { verb: 'delete', resource: 'namespaces', name: 'shop' },
  { verb: 'create', group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions' },
  { verb: 'create', resource: 'persistentvolumes' },
  { verb: 'create', resource: 'configmaps', namespace: 'shop' },
  { verb: 'update', resource: 'secrets', namespace: 'shop', name: 'db' },
  { verb: 'update', group: 'apps', resource: 'deployments', namespace: 'shop', name: 'web' },
  { verb: 'patch', group: 'apps', resource: 'deployments', namespace: 'shop', name: 'web' },
  { verb: 'patch', group: 'apps', resource: 'statefulsets', namespace: 'shop', name: 'db' },
  { verb: 'create', group: 'example.com', resource: 'widgets', namespace: 'shop' },
  { verb: 'create', group: SNAPSHOTS, resource: 'volumesnapshotcontents' },
  { verb: 'create', group: 'storage.k8s.io', resource: 'storageclasses' },
  { verb: 'create', group: RBAC, resource: 'rolebindings', namespace: 'shop' },
  { verb: 'create', group: RBAC, resource: 'clusterrolebindings' },
  { verb: 'create', group: RBAC, resource: 'clusterroles' },
];

/** Ways to take power through the API that no Haven step needs, with or without the restore permissions. */
const NEVER = [
  { verb: 'escalate', group: RBAC, resource: 'clusterroles', name: 'cluster-admin' },
  { verb: 'escalate', group: RBAC, resource: 'roles', namespace: 'shop' },
  { verb: 'bind', group: RBAC, resource: 'clusterroles', name: 'cluster-admin' },
  { verb: 'bind', group: RBAC, resource: 'roles', namespace: 'shop' },
  { verb: 'impersonate', resource: 'users', name: 'admin' },
  { verb: 'impersonate', resource: 'groups', name: 'system:masters' },
  { verb: 'impersonate', resource: 'serviceaccounts', namespace: 'kube-system', name: 'default' },
  { verb: 'impersonate', group: 'authentication.k8s.io', resource: 'userextras', name: 'scopes' },
  { verb: 'approve', group: 'certificates.k8s.io', resource: 'signers', name: 'kubernetes.io/kube-apiserver-client' },
  { verb: 'deletecollection', resource: 'secrets', namespace: 'shop' },
  { verb: 'deletecollection', resource: 'namespaces' },
];

describe('the agent install manifest applied with server-side apply', () => {
  it('creates every object it declares, with the cluster\'s identity and token', async () => {
    expect(declared.map((d) => d.kind)).toEqual(['Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Secret', 'Deployment', 'ClusterRole', 'ClusterRoleBinding']);
    expect(declared.map((d) => d.metadata?.namespace ?? d.metadata?.name)).toEqual([
      AGENT_NAMESPACE, AGENT_NAMESPACE, `${AGENT_NAME}-backup`, `${AGENT_NAME}-backup`, AGENT_NAMESPACE, AGENT_NAMESPACE, `${AGENT_NAME}-restore`, `${AGENT_NAME}-restore`,
    ]);
    for (const document of full.documents) {
      const live = await objects.read({ apiVersion: document.apiVersion!, kind: document.kind!, metadata: { name: document.metadata!.name!, namespace: document.metadata!.namespace! } });
      expect(live.metadata?.uid, `${document.kind} ${document.metadata?.name}`).toBeTruthy();
      expect(live.metadata?.managedFields?.some((field) => field.manager === 'haven-install-test' && field.operation === 'Apply')).toBe(true);
    }
    const secret = await core.readNamespacedSecret({ namespace: full.namespace, name: AGENT_NAME });
    expect(Buffer.from(secret.data?.token ?? '', 'base64').toString('utf8')).toBe(token);
  });

  it('binds no role of the cluster\'s own (cluster-admin, admin, edit): only the manifest\'s ClusterRoles', () => {
    const bindings = declared.filter((d) => d.kind === 'ClusterRoleBinding' || d.kind === 'RoleBinding') as (KubernetesObject & { roleRef: { name: string } })[];
    const roles = declared.filter((d) => d.kind === 'ClusterRole').map((d) => d.metadata?.name);
    expect(bindings.map((binding) => binding.roleRef.name)).toEqual(roles);
  });

  it('marks the restore permissions as the optional last documents, with a comment saying how to leave them out', () => {
    const restore = declared.filter((d) => d.metadata?.labels?.[AGENT_PERMISSIONS_LABEL] === 'restore');
    expect(restore.map((d) => d.kind)).toEqual(['ClusterRole', 'ClusterRoleBinding']);
    expect(declared.slice(-2)).toEqual(restore);
    const comment = (manifest.split('---\n').at(-2) ?? '').split('\n').filter((line) => line.startsWith('#')).join('\n');
    expect(comment).toMatch(/^# Optional: restores and replications into this cluster/);
    expect(comment).toContain(`kubectl apply --server-side -f agent.yaml -l '${AGENT_PERMISSIONS_LABEL}!=restore'`);
    expect(backupOnly.documents.map((d) => d.kind)).toEqual(['Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Secret', 'Deployment']);
  });

  it('runs the agent script of the image for this cluster, pointed at the gateway with its token from a secret and no payload key', async () => {
    const deployment = (await objects.read({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: AGENT_NAME, namespace: full.namespace } })) as KubernetesObject & {
      spec: { template: { spec: { serviceAccountName: string; containers: { image: string; command: string[]; env: { name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }[] }[] } } };
    };
    const pod = deployment.spec.template.spec;
    expect(pod.serviceAccountName).toBe(AGENT_NAME);
    const [container] = pod.containers;
    expect(container?.command).toEqual([...HAVEN_PROCESS_COMMANDS.agent]);
    const env = new Map(container?.env.map((variable) => [variable.name, variable]));
    // The agent's mover pods run the image the agent itself runs.
    expect(env.get(HAVEN_IMAGE_ENV)?.value).toBe(container?.image);
    expect(env.get('HAVEN_CLUSTER_ID')?.value).toBe(clusterId);
    expect(env.get('HAVEN_GATEWAY_ADDRESS')?.value).toBeTruthy();
    expect(env.has('HAVEN_TEMPORAL_ADDRESS')).toBe(false);
    expect(env.get('HAVEN_AGENT_TOKEN')?.valueFrom?.secretKeyRef).toEqual({ name: AGENT_NAME, key: 'token' });
    // A cluster never holds a payload key: the gateway opens and seals its payloads.
    expect(env.has('HAVEN_PAYLOAD_KEY')).toBe(false);
  });

  it('lets a backup-only agent do every backup step: snapshots, claims, data-mover pods and their tokens, hooks', async () => {
    expect(await refused(backupOnly, BACKUP_NEEDS)).toEqual([]);
  });

  it('refuses a backup-only agent every restore write: namespaces, cluster-scoped kinds, RBAC, replacing secrets and workloads', async () => {
    expect(await allowed(backupOnly, RESTORE_WRITES)).toEqual([]);
    // The tokens of the mover pods are Secrets the agent creates; it never rewrites one.
    expect(await allowed(backupOnly, [{ verb: 'patch', resource: 'secrets', namespace: 'shop', name: 'db' }, { verb: 'create', resource: 'serviceaccounts', subresource: 'token', namespace: 'shop', name: 'default' }])).toEqual([]);
  });

  it('lets an agent with the restore permissions write what restores and replication resets write, and still do backups', async () => {
    expect(await refused(full, [...RESTORE_WRITES, ...BACKUP_NEEDS])).toEqual([]);
  });

  it('refuses either install escalating, binding, impersonating, approving or deleting collections', async () => {
    expect(await allowed(backupOnly, NEVER)).toEqual([]);
    expect(await allowed(full, NEVER)).toEqual([]);
  });

  it('has the API server refuse the agent binding itself to cluster-admin, even with the restore permissions', async () => {
    const rbac = (await full.agentKubeConfig()).makeApiClient(RbacAuthorizationV1Api);
    const name = uniqueName('haven-agent-takeover');
    const attempt = rbac.createClusterRoleBinding({
      body: {
        metadata: { name },
        roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'cluster-admin' },
        subjects: [{ kind: 'ServiceAccount', name: AGENT_NAME, namespace: full.namespace }],
      },
    });
    const outcome = await attempt.then(
      () => 'created',
      (error: { code?: number; body?: string }) => `${error.code}: ${String(error.body)}`,
    );
    if (outcome === 'created') await kubeConfig.makeApiClient(RbacAuthorizationV1Api).deleteClusterRoleBinding({ name });
    expect(outcome).toMatch(/^403: .*attempting to grant RBAC permissions not currently held/);
  });

  it('lets the agent list every resource type the cluster serves, as an export reads them', async () => {
    const types = await discoverResourceTypes(new KubeRestClient(kubeConfig));
    expect(types.length).toBeGreaterThan(30);
    const denied = [];
    for (const type of types) if (!(await backupOnly.agentMay({ verb: 'list', group: type.group, resource: type.resource }))) denied.push(type.id);
    expect(denied).toEqual([]);
  });

  it('gives nothing to another service account of the same namespace (the grant is the agent\'s only)', async () => {
    const review = await authorization.createSubjectAccessReview({
      body: {
        spec: {
          user: `system:serviceaccount:${full.namespace}:default`,
          groups: ['system:serviceaccounts', `system:serviceaccounts:${full.namespace}`, 'system:authenticated'],
          resourceAttributes: { verb: 'list', resource: 'secrets', group: '' },
        },
      },
    });
    expect(review.status?.allowed).toBe(false);
  });
});
