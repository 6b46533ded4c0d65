import { stringify } from 'yaml';
import type { AgentSettings } from '../../config.js';

export const AGENT_NAMESPACE = 'haven-system';
export const AGENT_NAME = 'haven-agent';
/**
 * The Secret holding HAVEN_PAYLOAD_KEY, created by the operator next to the manifest. It is not in the
 * manifest because that key decrypts every Temporal payload of the installation: an API response
 * (shown to any operator registering a cluster) must not carry it.
 */
export const PAYLOAD_KEY_SECRET = 'haven-payload-key';

/**
 * The YAML a user applies to install the agent. The agent dials out to Temporal only (no inbound
 * ports) and polls its own queue `cluster.<id>`; the token proves which cluster it is.
 */
export function agentManifest(settings: AgentSettings, cluster: { id: string; kubeletPodsDir: string }, token: string): string {
  const labels = { 'app.kubernetes.io/name': AGENT_NAME, 'app.kubernetes.io/part-of': 'haven' };
  const documents = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: AGENT_NAMESPACE, labels } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: AGENT_NAME, namespace: AGENT_NAMESPACE, labels } },
    {
      // Backups read and restores write any resource kind, so the agent needs cluster-admin.
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: AGENT_NAME, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ kind: 'ServiceAccount', name: AGENT_NAME, namespace: AGENT_NAMESPACE }],
    },
    {
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
                // The image's default command starts the API; the agent is another script of the same image.
                command: ['npm', 'run', 'agent'],
                env: [
                  { name: 'HAVEN_CLUSTER_ID', value: cluster.id },
                  { name: 'HAVEN_TASK_QUEUE', value: `cluster.${cluster.id}` },
                  { name: 'HAVEN_TEMPORAL_ADDRESS', value: settings.temporalAddress },
                  { name: 'TEMPORAL_NAMESPACE', value: settings.temporalNamespace },
                  { name: 'HAVEN_KUBELET_PODS_DIR', value: cluster.kubeletPodsDir },
                  { name: 'HAVEN_AGENT_TOKEN', valueFrom: { secretKeyRef: { name: AGENT_NAME, key: 'token' } } },
                  { name: 'HAVEN_PAYLOAD_KEY', valueFrom: { secretKeyRef: { name: PAYLOAD_KEY_SECRET, key: 'key' } } },
                ],
                resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } },
              },
            ],
          },
        },
      },
    },
  ];
  // No YAML anchors: the same labels object repeats, and plain copies read better to a person applying it.
  return documents.map((document) => stringify(document, { aliasDuplicateObjects: false })).join('---\n');
}
