import type { KubernetesObject, V1ConfigMap, V1Container, V1Deployment, V1Secret, V1Service } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { helmBinary } from '../../scripts/helm/helm-binary.js';
import { HAVEN_PROCESS_COMMANDS } from '../../lib/common/haven-image.js';
import { generateKeyEntry } from '../../lib/common/secrets.js';
import { CONTROL_PLANE_CHART, HELM_BUILD_TIMEOUT_MS, helm, objectsOf, refusal, renderChart, serverDryRun, type Values } from './helpers/helm.js';

/**
 * The control-plane chart rendered with `helm template`: three Deployments that migrate before they
 * start, run without privileges and get only the secret keys each process reads; secret values only in
 * the Secret; values it cannot work without refused by name. The objects pass a server-side dry-run on
 * the stack's kube-apiserver.
 */
const secretValues = {
  databaseUrl: 'postgres://haven:db-password-value@postgres.db:5432/haven',
  secretKey: generateKeyEntry('k1'),
  payloadKey: generateKeyEntry('p1'),
  bootstrapApiKey: 'bootstrap-key-value-of-at-least-32-characters',
  installationAdminKey: 'installation-admin-key-value-at-least-32-chars',
};
const required: Values = {
  temporal: { address: 'temporal-frontend.temporal:7233' },
  database: { url: secretValues.databaseUrl },
  secrets: { secretKey: secretValues.secretKey, payloadKey: secretValues.payloadKey, bootstrapApiKey: secretValues.bootstrapApiKey, installationAdminKey: secretValues.installationAdminKey },
  gateway: { allowPlaintext: true },
};

const deployment = (objects: KubernetesObject[], component: string) => objectsOf<V1Deployment>(objects, 'Deployment').find((d) => d.metadata?.labels?.['app.kubernetes.io/component'] === component)!;
const mainContainer = (objects: KubernetesObject[], component: string) => deployment(objects, component).spec!.template.spec!.containers[0]!;
const secretKeysOf = (container: V1Container) => (container.env ?? []).filter((e) => e.valueFrom?.secretKeyRef).map((e) => e.name).sort();
const envOf = (container: V1Container) => Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value ?? e.valueFrom]));

beforeAll(async () => {
  await helmBinary();
}, HELM_BUILD_TIMEOUT_MS);

describe('with the required values', () => {
  let objects: KubernetesObject[];
  beforeAll(async () => {
    objects = await renderChart(CONTROL_PLANE_CHART, required, { release: 'haven', namespace: 'haven' });
  });

  it('passes helm lint --strict', async () => {
    const result = await helm(['lint', '--strict', CONTROL_PLANE_CHART], required);
    expect(result.code, result.stdout + result.stderr).toBe(0);
  });

  it('runs the api, the worker and the gateway, each behind a migration of the database, and serves the api and the gateway', () => {
    expect(objectsOf(objects, 'Deployment').map((d) => d.metadata?.name).sort()).toEqual(['haven-api', 'haven-gateway', 'haven-worker']);
    for (const component of ['api', 'worker', 'gateway']) {
      const pod = deployment(objects, component).spec!.template.spec!;
      expect(pod.containers[0]!.command).toEqual([...HAVEN_PROCESS_COMMANDS[component as 'api' | 'worker' | 'gateway']]);
      expect(pod.initContainers?.map((c) => [c.name, c.command, secretKeysOf(c)])).toEqual([['migrate', [...HAVEN_PROCESS_COMMANDS.migrate], ['DATABASE_URL']]]);
      // None of them calls the API server.
      expect(pod.automountServiceAccountToken).toBe(false);
    }
    const services = objectsOf<V1Service>(objects, 'Service');
    expect(services.map((s) => [s.metadata?.name, s.spec?.ports?.[0]?.port, s.spec?.selector?.['app.kubernetes.io/component']])).toEqual([
      ['haven-api', 8080, 'api'],
      ['haven-gateway', 7243, 'gateway'],
    ]);
  });

  it("probes the worker's /healthz on worker.healthPort, which the worker is told to serve", () => {
    const worker = mainContainer(objects, 'worker');
    expect(envOf(worker)).toMatchObject({ HAVEN_WORKER_HEALTH_PORT: '8081' });
    expect(worker.ports).toEqual([{ name: 'health', containerPort: 8081 }]);
    expect(worker.readinessProbe?.httpGet).toEqual({ path: '/healthz', port: 'health' });
  });

  it('runs every container without privileges: non-root, no escalation, every capability dropped, read-only root', () => {
    for (const d of objectsOf<V1Deployment>(objects, 'Deployment')) {
      const pod = d.spec!.template.spec!;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } });
      for (const container of [...(pod.initContainers ?? []), ...pod.containers]) {
        expect(container.securityContext, `${d.metadata?.name}/${container.name}`).toMatchObject({ allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
      }
    }
  });

  it('keeps every secret value in the Secret only: not in a ConfigMap, not in a pod spec', () => {
    const secret = objectsOf<V1Secret>(objects, 'Secret')[0]!;
    expect(secret.stringData).toEqual({
      DATABASE_URL: secretValues.databaseUrl,
      HAVEN_SECRET_KEY: secretValues.secretKey,
      HAVEN_PAYLOAD_KEY: secretValues.payloadKey,
      HAVEN_BOOTSTRAP_API_KEY: secretValues.bootstrapApiKey,
      HAVEN_INSTALLATION_ADMIN_KEY: secretValues.installationAdminKey,
    });
    const elsewhere = JSON.stringify(objects.filter((o) => o.kind !== 'Secret'));
    for (const value of Object.values(secretValues)) expect(elsewhere).not.toContain(value);
    expect(elsewhere).not.toContain('db-password-value');
  });

  it('gives each process only the secret keys it reads', () => {
    expect(secretKeysOf(mainContainer(objects, 'api'))).toEqual(['DATABASE_URL', 'HAVEN_BOOTSTRAP_API_KEY', 'HAVEN_INSTALLATION_ADMIN_KEY', 'HAVEN_PAYLOAD_KEY', 'HAVEN_SECRET_KEY']);
    expect(secretKeysOf(mainContainer(objects, 'worker'))).toEqual(['DATABASE_URL', 'HAVEN_PAYLOAD_KEY', 'HAVEN_SECRET_KEY']);
    // The gateway faces every cluster: it holds no key to the stored credentials.
    expect(secretKeysOf(mainContainer(objects, 'gateway'))).toEqual(['DATABASE_URL', 'HAVEN_PAYLOAD_KEY']);
  });

  it('tells agents to reach this release\'s gateway Service, and says the gateway serves plaintext only because it was asked to', () => {
    expect(envOf(mainContainer(objects, 'api'))).toMatchObject({ HOST: '0.0.0.0', PORT: '8080', HAVEN_AGENT_GATEWAY_ADDRESS: 'haven-gateway.haven.svc:7243', HAVEN_IMAGE: 'ghcr.io/haven-backup/haven:latest' });
    expect(envOf(mainContainer(objects, 'gateway'))).toMatchObject({ HAVEN_GATEWAY_LISTEN: '0.0.0.0:7243', HAVEN_GATEWAY_ALLOW_PLAINTEXT: 'true' });
    const config = objectsOf<V1ConfigMap>(objects, 'ConfigMap')[0]!;
    expect(config.data).toEqual({ TEMPORAL_ADDRESS: 'temporal-frontend.temporal:7233', TEMPORAL_NAMESPACE: 'default', HAVEN_CONTROL_TASK_QUEUE: 'control' });
  });

  it("is accepted by the stack's kube-apiserver (server-side dry-run, strict field validation)", async () => {
    await expect(serverDryRun(objects.map((o) => ({ ...o, metadata: { ...o.metadata, namespace: 'default' } })))).resolves.toMatch(/serverside-applied \(server dry run\)/);
  });
});

describe('with other values', () => {
  const values: Values = {
    temporal: { address: 't:7233', namespace: 'haven-prod', uiUrl: 'https://temporal.example', controlTaskQueue: 'haven-control' },
    existingSecret: 'haven-from-vault',
    config: { HAVEN_STORAGE_PRIVATE_NETWORKS: '10.0.0.0/8', HAVEN_EXPIRY_INTERVAL_MINUTES: 5 },
    api: { port: 9000, replicas: 2, agentGateway: { address: 'haven-gw.example:443', tls: true }, agentImage: 'registry.example/haven:2.0.0' },
    worker: { replicas: 3 },
    gateway: { port: 9443, tls: { secretName: 'gateway-cert' } },
    image: { repository: 'registry.example/haven', tag: '2.0.0' },
  };
  let objects: KubernetesObject[];
  beforeAll(async () => {
    objects = await renderChart(CONTROL_PLANE_CHART, values, { release: 'prod', namespace: 'haven' });
  });

  it('reads every secret from the existing Secret and creates none', () => {
    expect(objectsOf(objects, 'Secret')).toEqual([]);
    for (const d of objectsOf<V1Deployment>(objects, 'Deployment')) {
      for (const container of [...(d.spec!.template.spec!.initContainers ?? []), ...d.spec!.template.spec!.containers]) {
        for (const e of container.env ?? []) if (e.valueFrom?.secretKeyRef) expect(e.valueFrom.secretKeyRef.name).toBe('haven-from-vault');
      }
    }
  });

  it('serves the gateway with its certificate, mounted read-only, and no plaintext', () => {
    const gateway = deployment(objects, 'gateway').spec!.template.spec!;
    expect(envOf(gateway.containers[0]!)).toMatchObject({ HAVEN_GATEWAY_LISTEN: '0.0.0.0:9443', HAVEN_GATEWAY_TLS_CERT: '/etc/haven/gateway-tls/tls.crt', HAVEN_GATEWAY_TLS_KEY: '/etc/haven/gateway-tls/tls.key' });
    expect(envOf(gateway.containers[0]!).HAVEN_GATEWAY_ALLOW_PLAINTEXT).toBeUndefined();
    expect(gateway.containers[0]!.volumeMounts).toContainEqual({ name: 'tls', mountPath: '/etc/haven/gateway-tls', readOnly: true });
    expect(gateway.volumes).toContainEqual({ name: 'tls', secret: { secretName: 'gateway-cert' } });
  });

  it('passes settings, ports, replicas, images and the agents\' gateway through', () => {
    expect(objectsOf<V1ConfigMap>(objects, 'ConfigMap')[0]!.data).toEqual({
      TEMPORAL_ADDRESS: 't:7233',
      TEMPORAL_NAMESPACE: 'haven-prod',
      TEMPORAL_UI_URL: 'https://temporal.example',
      HAVEN_CONTROL_TASK_QUEUE: 'haven-control',
      HAVEN_STORAGE_PRIVATE_NETWORKS: '10.0.0.0/8',
      HAVEN_EXPIRY_INTERVAL_MINUTES: '5',
    });
    expect(envOf(mainContainer(objects, 'api'))).toMatchObject({ PORT: '9000', HAVEN_AGENT_GATEWAY_ADDRESS: 'haven-gw.example:443', HAVEN_AGENT_GATEWAY_TLS: 'true', HAVEN_IMAGE: 'registry.example/haven:2.0.0' });
    expect(deployment(objects, 'api').spec?.replicas).toBe(2);
    expect(deployment(objects, 'worker').spec?.replicas).toBe(3);
    expect(mainContainer(objects, 'worker').image).toBe('registry.example/haven:2.0.0');
  });

  it('passes helm lint --strict', async () => {
    const result = await helm(['lint', '--strict', CONTROL_PLANE_CHART], values);
    expect(result.code, result.stdout + result.stderr).toBe(0);
  });

  it("is accepted by the stack's kube-apiserver (server-side dry-run, strict field validation)", async () => {
    await expect(serverDryRun(objects.map((o) => ({ ...o, metadata: { ...o.metadata, namespace: 'default' } })))).resolves.toMatch(/serverside-applied \(server dry run\)/);
  });
});

describe('refuses values it cannot work without, naming them', () => {
  const without = (path: string[]): Values => {
    const values = structuredClone(required) as Record<string, Record<string, unknown>>;
    delete values[path[0]!]![path[1]!];
    return values;
  };
  it.each([
    ['temporal.address', without(['temporal', 'address']), /temporal\.address is required/],
    ['database.url', without(['database', 'url']), /database\.url is required/],
    ['secrets.secretKey', without(['secrets', 'secretKey']), /secrets\.secretKey is required/],
    ['secrets.payloadKey', without(['secrets', 'payloadKey']), /secrets\.payloadKey is required/],
    ['a gateway certificate, unless plaintext is asked for', without(['gateway', 'allowPlaintext']), /gateway\.tls\.secretName is required/],
    ['a secret put in config', { ...required, config: { S3_SECRET_ACCESS_KEY: 'x' } }, /config\.S3_SECRET_ACCESS_KEY looks secret/],
  ])('%s', async (_, values, message) => {
    expect(await refusal(CONTROL_PLANE_CHART, values)).toMatch(message);
  });
});

describe('metrics', () => {
  const withMetrics: Values = { ...required, metrics: { enabled: true, serviceMonitor: { enabled: true }, prometheusRule: { enabled: true }, grafanaDashboard: { enabled: true } } };
  let objects: KubernetesObject[];
  beforeAll(async () => {
    objects = await renderChart(CONTROL_PLANE_CHART, withMetrics, { release: 'haven', namespace: 'haven' });
  });

  it('are off by default: no listener, no metrics Service, no rules', async () => {
    const plain = await renderChart(CONTROL_PLANE_CHART, required, { release: 'haven', namespace: 'haven' });
    for (const component of ['api', 'worker', 'gateway']) expect(envOf(mainContainer(plain, component)).HAVEN_METRICS_LISTEN).toBeUndefined();
    expect(plain.map((o) => o.kind)).not.toContain('PrometheusRule');
    expect(objectsOf(plain, 'Service')).toHaveLength(2);
  });

  it('passes helm lint --strict with everything on', async () => {
    const result = await helm(['lint', '--strict', CONTROL_PLANE_CHART], withMetrics);
    expect(result.code, result.stdout + result.stderr).toBe(0);
  });

  it('serves each process\'s metrics on a port of its own, never the API\'s, behind a Service each', () => {
    for (const component of ['api', 'worker', 'gateway']) {
      const container = mainContainer(objects, component);
      expect(envOf(container).HAVEN_METRICS_LISTEN).toBe('0.0.0.0:9464');
      expect(container.ports).toContainEqual({ name: 'metrics', containerPort: 9464 });
    }
    const metricsServices = objectsOf<V1Service>(objects, 'Service').filter((s) => s.metadata?.labels?.['haven.dev/metrics'] === 'true');
    expect(metricsServices.map((s) => [s.metadata?.name, s.spec?.ports?.map((p) => [p.name, p.port, p.targetPort])])).toEqual([
      ['haven-api-metrics', [['metrics', 9464, 'metrics']]],
      ['haven-worker-metrics', [['metrics', 9464, 'metrics']]],
      ['haven-gateway-metrics', [['metrics', 9464, 'metrics']]],
    ]);
    const monitor = objects.find((o) => o.kind === 'ServiceMonitor') as KubernetesObject & { spec: { selector: unknown; endpoints: unknown[] } };
    expect(monitor.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/instance': 'haven', 'haven.dev/metrics': 'true' } });
    expect(monitor.spec.endpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '30s' }]);
  });

  it('alerts on a failed or partial run, an overdue definition, an inactive agent and stuck expiry, over series the processes serve', () => {
    const rule = objects.find((o) => o.kind === 'PrometheusRule') as KubernetesObject & { spec: { groups: { rules: { alert: string; expr: string }[] }[] } };
    const rules = rule.spec.groups.flatMap((group) => group.rules);
    expect(rules.map((r) => r.alert)).toEqual(['HavenRunFailed', 'HavenRunOverdue', 'HavenAgentInactive', 'HavenExpiryStuck']);
    const expr = Object.fromEntries(rules.map((r) => [r.alert, r.expr]));
    expect(expr.HavenRunFailed).toContain('haven_jobs_finished_total{status=~"FAILED|PARTIAL"}[15m]');
    expect(expr.HavenRunOverdue).toMatch(/haven_definition_last_success_timestamp_seconds[\s\S]*> 2 \* max by \(organization, definition, name, kind\) \(haven_definition_schedule_interval_seconds\)/);
    // A definition that never succeeded is late from its creation.
    expect(expr.HavenRunOverdue).toMatch(/\(haven_definition_last_success_timestamp_seconds\)\s+or max by \(organization, definition, name, kind\) \(haven_definition_created_timestamp_seconds\)/);
    expect(expr.HavenAgentInactive).toBe('max by (organization, cluster, name) (haven_cluster_agent_active) == 0');
    expect(expr.HavenExpiryStuck).toBe('max(haven_recovery_points_oldest_overdue_seconds) > 7200');
  });

  it('ships a Grafana dashboard whose panels query Haven\'s series', () => {
    const dashboard = objectsOf<V1ConfigMap>(objects, 'ConfigMap').find((c) => c.metadata?.name === 'haven-dashboard')!;
    expect(dashboard.metadata?.labels?.grafana_dashboard).toBe('1');
    const parsed = JSON.parse(dashboard.data!['haven.json']!) as { uid: string; panels: { targets: { expr: string }[] }[] };
    expect(parsed.uid).toBe('haven-overview');
    const queried = parsed.panels.flatMap((p) => p.targets.map((t) => t.expr)).join('\n');
    for (const series of ['haven_jobs_finished_total', 'haven_job_duration_seconds_bucket', 'haven_job_bytes_transferred_total', 'haven_definition_last_success_timestamp_seconds', 'haven_cluster_agent_active', 'haven_recovery_points_expiry_backlog']) {
      expect(queried).toContain(series);
    }
  });
});
