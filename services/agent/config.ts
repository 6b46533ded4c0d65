import { KubeConfig } from '@kubernetes/client-node';
import { parsePayloadKeyring } from '../../lib/common/temporal/config.js';
import { DEFAULT_TEMPORAL_NAMESPACE } from '../../lib/common/temporal/config.js';
import type { SecretKeyring } from '../../lib/common/secrets.js';

/** The agent's environment, read once at start. */
export interface AgentConfig {
  clusterId: string;
  temporalAddress: string;
  temporalNamespace: string;
  payloadKeyring: SecretKeyring;
  kubeConfig: KubeConfig;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class AgentConfigError extends Error {
  override name = 'AgentConfigError';
}

/** KUBECONFIG when set (development, tests); otherwise the pod's service account (in-cluster). */
export function loadKubeConfig(env: NodeJS.ProcessEnv): KubeConfig {
  const kubeConfig = new KubeConfig();
  if (env.KUBECONFIG) kubeConfig.loadFromFile(env.KUBECONFIG);
  else kubeConfig.loadFromCluster();
  return kubeConfig;
}

export function readAgentConfig(env: NodeJS.ProcessEnv = process.env): AgentConfig {
  const clusterId = env.HAVEN_CLUSTER_ID ?? '';
  if (!UUID.test(clusterId)) throw new AgentConfigError('HAVEN_CLUSTER_ID must be the cluster id from its registration (a UUID)');
  // The install manifest (services/api/resources/clusters/agent-manifest.ts) sets HAVEN_TEMPORAL_ADDRESS.
  const temporalAddress = env.HAVEN_TEMPORAL_ADDRESS || env.TEMPORAL_ADDRESS;
  if (!temporalAddress) throw new AgentConfigError('HAVEN_TEMPORAL_ADDRESS (or TEMPORAL_ADDRESS) is not set: host:port of the Temporal frontend');
  return {
    clusterId,
    temporalAddress,
    temporalNamespace: env.TEMPORAL_NAMESPACE || DEFAULT_TEMPORAL_NAMESPACE,
    payloadKeyring: parsePayloadKeyring(env.HAVEN_PAYLOAD_KEY),
    kubeConfig: loadKubeConfig(env),
  };
}
