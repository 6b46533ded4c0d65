import { stringify } from 'yaml';
import { HAVEN_IMAGE_ENV, HAVEN_PROCESS_COMMANDS } from '../../../../lib/common/haven-image.js';
import { gatewayEnv } from '../../../../lib/cluster-access/gateway-connection.js';
import { WORKER_HEALTH_PORT_ENV } from '../../../../lib/common/temporal/worker-health.js';
import type { AgentSettings } from '../../config.js';
import { HAVEN_NAMESPACE } from '../../../../lib/domain/protected-namespaces.js';
import { AGENT_PERMISSIONS_LABEL, agentRbacDocuments } from './agent-rbac.js';

export const AGENT_NAMESPACE = HAVEN_NAMESPACE;
export const AGENT_NAME = 'haven-agent';
/** The agent's /healthz port in the pod, as the agent chart's `healthPort` default (test/helm/agent-chart.test.ts holds them equal). */
export const AGENT_HEALTH_PORT = 8081;

/** Said in the manifest above the restore permissions, for the person applying it. */
const RESTORE_PERMISSIONS_NOTE = [
  `Optional: restores and replications into this cluster. For a backup-only cluster, leave out the two`,
  `documents below (kubectl apply --server-side -f agent.yaml -l '${AGENT_PERMISSIONS_LABEL}!=restore').`,
];

/**
 * The YAML a user applies to install the agent. The agent dials out to Haven's agent gateway only (no
 * inbound ports) and polls its own queue `cluster.<id>`; the token proves which cluster it is. The
 * manifest carries no payload key: the cluster never holds one. Its permissions are agent-rbac.ts's,
 * the restore ones last, so a backup-only install leaves them out.
 */
export function agentManifest(settings: AgentSettings, cluster: { id: string; kubeletPodsDir: string }, token: string): string {
  const labels = { 'app.kubernetes.io/name': AGENT_NAME, 'app.kubernetes.io/part-of': 'haven' };
  const agent = { name: AGENT_NAME, namespace: AGENT_NAMESPACE, labels };
  const documents = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: AGENT_NAMESPACE, labels } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: AGENT_NAME, namespace: AGENT_NAMESPACE, labels } },
    ...agentRbacDocuments('backup', agent),
    {
      // The agent never reads it through the API (the kubelet hands it over as HAVEN_AGENT_TOKEN), so
      // no Role grants it.
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: AGENT_NAME, namespace: AGENT_NAMESPACE, labels },
      type: 'Opaque',
      stringData: { token },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: AGENT_NAME, namespace: AGENT_NAMESPACE, labels },
      spec: {
        replicas: 1,
        strategy: { type: 'Recreate' },
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: AGENT_NAME,
            containers: [
              {
                name: 'agent',
                image: settings.image,
                // The image's default command starts the API; the agent is another process of the same image.
                command: [...HAVEN_PROCESS_COMMANDS.agent],
                env: [
                  { name: 'HAVEN_CLUSTER_ID', value: cluster.id },
                  // Its mover pods run this same image, so agent and movers speak the same contracts.
                  { name: HAVEN_IMAGE_ENV, value: settings.image },
                  ...gatewayEnv(settings.gateway),
                  { name: 'HAVEN_KUBELET_PODS_DIR', value: cluster.kubeletPodsDir },
                  { name: 'HAVEN_AGENT_TOKEN', valueFrom: { secretKeyRef: { name: AGENT_NAME, key: 'token' } } },
                  { name: WORKER_HEALTH_PORT_ENV, value: String(AGENT_HEALTH_PORT) },
                ],
                ports: [{ name: 'health', containerPort: AGENT_HEALTH_PORT }],
                // Ready once the agent polls through the gateway; a worker whose connection gave up is FAILED
                // and the liveness probe restarts it.
                readinessProbe: { httpGet: { path: '/healthz', port: 'health' } },
                livenessProbe: { httpGet: { path: '/healthz', port: 'health' }, periodSeconds: 20, failureThreshold: 6 },
                resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } },
              },
            ],
          },
        },
      },
    },
  ];
  const restore = agentRbacDocuments('restore', agent);
  // No YAML anchors: the same labels object repeats, and plain copies read better to a person applying it.
  const yaml = (document: object) => stringify(document, { aliasDuplicateObjects: false });
  return [
    ...documents.map(yaml),
    `${RESTORE_PERMISSIONS_NOTE.map((line) => `# ${line}`).join('\n')}\n${yaml(restore[0]!)}`,
    ...restore.slice(1).map(yaml),
  ].join('---\n');
}
