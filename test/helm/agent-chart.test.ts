import { randomUUID } from 'node:crypto';
import type { KubernetesObject, V1ClusterRole, V1ClusterRoleBinding, V1Deployment, V1Secret } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { agentRbacFileContent, committedAgentRbacFile } from '../../scripts/helm/agent-rbac-file.js';
import { AGENT_HEALTH_PORT, agentManifest } from '../../services/api/resources/clusters/agent-manifest.js';
import { AGENT_PERMISSIONS_LABEL, AGENT_RULES } from '../../services/api/resources/clusters/agent-rbac.js';
import { DEFAULT_HAVEN_IMAGE } from '../../lib/common/haven-image.js';
import { helmBinary } from '../../scripts/helm/helm-binary.js';
import { AGENT_CHART, HELM_BUILD_TIMEOUT_MS, helm, objectsOf, refusal, renderChart, serverDryRun, type Values } from './helpers/helm.js';

/**
 * The agent chart rendered with `helm template` and checked object by object: its RBAC is registration's
 * (agent-rbac.ts, through the generated files/rbac-rules.yaml), nothing grants more, the pod runs
 * without privileges, the token travels only in a Secret, and values it cannot work without are refused
 * by name. The rendered objects pass a server-side dry-run on the stack's kube-apiserver.
 */
const clusterId = randomUUID();
const required: Values = { clusterId, token: 'agent-token-value', gateway: { address: 'gateway.haven.example:7243' } };

const deploymentOf = (objects: KubernetesObject[]) => objectsOf<V1Deployment>(objects, 'Deployment')[0]!;
const agentContainer = (objects: KubernetesObject[]) => deploymentOf(objects).spec!.template.spec!.containers[0]!;
const envOf = (objects: KubernetesObject[]) => Object.fromEntries((agentContainer(objects).env ?? []).map((e) => [e.name, e.value ?? e.valueFrom]));

beforeAll(async () => {
  await helmBinary();
}, HELM_BUILD_TIMEOUT_MS);

describe('the RBAC rules have one source', () => {
  it('files/rbac-rules.yaml is what agent-rbac.ts generates (run `npm run helm:rbac` after editing the rules)', () => {
    expect(committedAgentRbacFile()).toBe(agentRbacFileContent());
  });

  it("renders registration's ClusterRoles rule for rule, labelled the same way", async () => {
    const chart = objectsOf<V1ClusterRole>(await renderChart(AGENT_CHART, required), 'ClusterRole');
    const manifest = parseAllDocuments(agentManifest({ image: DEFAULT_HAVEN_IMAGE, gateway: { address: 'g:7243', namespace: 'default' } }, { id: clusterId, kubeletPodsDir: '/var/lib/kubelet/pods' }, 'token'))
      .map((d) => d.toJS() as V1ClusterRole)
      .filter((d) => d.kind === 'ClusterRole');
    const byPermissions = (roles: V1ClusterRole[]) => Object.fromEntries(roles.map((role) => [role.metadata?.labels?.[AGENT_PERMISSIONS_LABEL], role.rules]));
    expect(byPermissions(chart)).toEqual(byPermissions(manifest));
    expect(byPermissions(chart)).toEqual({ backup: AGENT_RULES.backup, restore: AGENT_RULES.restore });
  });
});

describe('with the required values', () => {
  let objects: KubernetesObject[];
  beforeAll(async () => {
    objects = await renderChart(AGENT_CHART, required, { release: 'haven-agent' });
  });

  it('passes helm lint --strict', async () => {
    const result = await helm(['lint', '--strict', AGENT_CHART], required);
    expect(result.code, result.stdout + result.stderr).toBe(0);
  });

  it('binds both roles to its own service account only, and nothing to a role of the cluster', () => {
    const serviceAccount = objectsOf(objects, 'ServiceAccount')[0]!;
    const roles = objectsOf<V1ClusterRole>(objects, 'ClusterRole').map((r) => r.metadata?.name);
    const bindings = objectsOf<V1ClusterRoleBinding>(objects, 'ClusterRoleBinding');
    expect(bindings.map((b) => b.roleRef.name).sort()).toEqual([...roles].sort());
    expect(bindings.map((b) => b.roleRef.name)).not.toContain('cluster-admin');
    for (const binding of bindings) expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: serviceAccount.metadata?.name, namespace: 'haven-system' }]);
    expect(deploymentOf(objects).spec?.template.spec?.serviceAccountName).toBe(serviceAccount.metadata?.name);
    expect(objectsOf(objects, 'Role')).toEqual([]);
    expect(objectsOf(objects, 'RoleBinding')).toEqual([]);
  });

  it('grants no way to raise its own rights: no bind, escalate or impersonate, no verb wildcard', () => {
    const verbs = objectsOf<V1ClusterRole>(objects, 'ClusterRole').flatMap((role) => (role.rules ?? []).flatMap((rule) => rule.verbs));
    expect(verbs).not.toContain('*');
    for (const verb of ['bind', 'escalate', 'impersonate']) expect(verbs).not.toContain(verb);
  });

  it('runs the agent without privileges: non-root, no escalation, every capability dropped, read-only root', () => {
    const pod = deploymentOf(objects).spec!.template.spec!;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } });
    expect(agentContainer(objects).securityContext).toMatchObject({ allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
  });

  it('hands the token over only from its Secret, never as a literal in the pod spec or in a ConfigMap', () => {
    const secret = objectsOf<V1Secret>(objects, 'Secret')[0]!;
    expect(secret.stringData).toEqual({ token: 'agent-token-value' });
    expect(envOf(objects).HAVEN_AGENT_TOKEN).toEqual({ secretKeyRef: { name: secret.metadata?.name, key: 'token' } });
    expect(JSON.stringify(deploymentOf(objects))).not.toContain('agent-token-value');
    expect(objectsOf(objects, 'ConfigMap')).toEqual([]);
  });

  it("sets the environment registration's manifest sets, and the mover image defaults to the agent's own", () => {
    const manifest = parseAllDocuments(agentManifest({ image: DEFAULT_HAVEN_IMAGE, gateway: { address: 'g:7243', namespace: 'default' } }, { id: clusterId, kubeletPodsDir: '/var/lib/kubelet/pods' }, 'token')).map((d) => d.toJS() as V1Deployment);
    const manifestEnv = manifest.find((d) => d.kind === 'Deployment')!.spec!.template.spec!.containers[0]!.env!.map((e) => e.name);
    expect(Object.keys(envOf(objects))).toEqual(expect.arrayContaining(manifestEnv));
    expect(agentContainer(objects).image).toBe(DEFAULT_HAVEN_IMAGE);
    expect(envOf(objects)).toMatchObject({
      HAVEN_CLUSTER_ID: clusterId,
      HAVEN_GATEWAY_ADDRESS: 'gateway.haven.example:7243',
      TEMPORAL_NAMESPACE: 'default',
      HAVEN_KUBELET_PODS_DIR: '/var/lib/kubelet/pods',
      HAVEN_IMAGE: DEFAULT_HAVEN_IMAGE,
    });
    expect(envOf(objects).HAVEN_GATEWAY_TLS).toBeUndefined();
  });

  it("probes the agent's /healthz on healthPort, which the agent is told to serve, as registration's manifest does", () => {
    const manifest = parseAllDocuments(agentManifest({ image: DEFAULT_HAVEN_IMAGE, gateway: { address: 'g:7243', namespace: 'default' } }, { id: clusterId, kubeletPodsDir: '/var/lib/kubelet/pods' }, 'token')).map((d) => d.toJS() as V1Deployment);
    const fromManifest = manifest.find((d) => d.kind === 'Deployment')!.spec!.template.spec!.containers[0]!;
    const container = agentContainer(objects);
    expect(envOf(objects)).toMatchObject({ HAVEN_WORKER_HEALTH_PORT: String(AGENT_HEALTH_PORT) });
    expect(container.ports).toEqual([{ name: 'health', containerPort: AGENT_HEALTH_PORT }]);
    expect(container.readinessProbe?.httpGet).toEqual({ path: '/healthz', port: 'health' });
    expect(container.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'health' });
    expect([fromManifest.ports, fromManifest.readinessProbe, fromManifest.livenessProbe]).toEqual([container.ports, container.readinessProbe, container.livenessProbe]);
  });

  it("is accepted by the stack's kube-apiserver (server-side dry-run, strict field validation)", async () => {
    await expect(serverDryRun(objects.map((o) => (o.metadata?.namespace ? { ...o, metadata: { ...o.metadata, namespace: 'default' } } : o)))).resolves.toMatch(/serverside-applied \(server dry run\)/);
  });
});

describe('with other values', () => {
  const values: Values = {
    ...required,
    token: '',
    existingSecret: 'agent-token-from-vault',
    gateway: { address: 'gw.internal:443', caCert: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' },
    temporalNamespace: 'haven-prod',
    kubeletPodsDir: '/var/data/kubelet/pods',
    image: { repository: 'registry.example/haven', tag: '1.2.3' },
    mover: { image: 'registry.example/haven-mover:1.2.3' },
    restorePermissions: { enabled: false },
    resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '1Gi' } },
  };
  let objects: KubernetesObject[];
  beforeAll(async () => {
    objects = await renderChart(AGENT_CHART, values, { release: 'agent', namespace: 'haven-system' });
  });

  it('leaves the restore role out of a backup-only install', () => {
    const permissions = [...objectsOf(objects, 'ClusterRole'), ...objectsOf(objects, 'ClusterRoleBinding')].map((o) => o.metadata?.labels?.[AGENT_PERMISSIONS_LABEL]);
    expect(permissions).toEqual(['backup', 'backup']);
  });

  it('reads the token from the existing Secret and creates none', () => {
    expect(objectsOf(objects, 'Secret')).toEqual([]);
    expect(envOf(objects).HAVEN_AGENT_TOKEN).toEqual({ secretKeyRef: { name: 'agent-token-from-vault', key: 'token' } });
  });

  it('passes the gateway CA (TLS on), Temporal namespace, pods directory, images and resources through', () => {
    expect(agentContainer(objects).image).toBe('registry.example/haven:1.2.3');
    expect(agentContainer(objects).resources).toEqual({ requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '1Gi' } });
    expect(envOf(objects)).toMatchObject({
      HAVEN_GATEWAY_ADDRESS: 'gw.internal:443',
      HAVEN_GATEWAY_TLS: 'true',
      HAVEN_GATEWAY_CA_CERT: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
      TEMPORAL_NAMESPACE: 'haven-prod',
      HAVEN_KUBELET_PODS_DIR: '/var/data/kubelet/pods',
      HAVEN_IMAGE: 'registry.example/haven-mover:1.2.3',
    });
  });

  it('passes helm lint --strict', async () => {
    const result = await helm(['lint', '--strict', AGENT_CHART], values);
    expect(result.code, result.stdout + result.stderr).toBe(0);
  });
});

describe('refuses values it cannot work without, naming them', () => {
  it.each([
    ['gateway.address', { ...required, gateway: { address: '' } }, /gateway\.address is required/],
    ['clusterId', { ...required, clusterId: '' }, /clusterId is required/],
    ['clusterId not a UUID', { ...required, clusterId: 'prod-cluster' }, /clusterId must be the cluster's id from its registration \(a UUID\), not "prod-cluster"/],
    ['token', { ...required, token: '' }, /token is required: the cluster's agentToken/],
  ])('%s', async (_, values, message) => {
    expect(await refusal(AGENT_CHART, values)).toMatch(message);
  });
});

describe('metrics', () => {
  it('are off by default, and on a port of the agent\'s own when enabled', async () => {
    expect(envOf(await renderChart(AGENT_CHART, required, { release: 'haven-agent' })).HAVEN_METRICS_LISTEN).toBeUndefined();
    const objects = await renderChart(AGENT_CHART, { ...required, metrics: { enabled: true, port: 9500 } }, { release: 'haven-agent' });
    expect(envOf(objects).HAVEN_METRICS_LISTEN).toBe('0.0.0.0:9500');
    expect(agentContainer(objects).ports).toEqual([{ name: 'health', containerPort: AGENT_HEALTH_PORT }, { name: 'metrics', containerPort: 9500 }]);
    const lint = await helm(['lint', '--strict', AGENT_CHART], { ...required, metrics: { enabled: true } });
    expect(lint.code, lint.stdout + lint.stderr).toBe(0);
  });
});
