import { KubeConfig } from '@kubernetes/client-node';
import { readGatewaySettings, type GatewaySettings } from '../../lib/cluster-access/gateway-connection.js';
import { metricsListenSetting, type MetricsListen } from '../../lib/common/metrics/listener.js';
import { readWorkerHealthPort } from '../../lib/common/temporal/worker-health.js';

/** The agent's environment, read once at start. */
export interface AgentConfig {
  clusterId: string;
  /** Where the agent (and the mover pods it starts) reach Haven: the agent gateway, never Temporal itself. */
  gateway: GatewaySettings;
  /** The cluster's agent token (HAVEN_AGENT_TOKEN): the gateway knows the cluster by it. */
  token: string;
  kubeConfig: KubeConfig;
  /** HAVEN_METRICS_LISTEN: where /metrics is served inside the cluster; unset serves none. */
  metricsListen?: MetricsListen;
  /** HAVEN_WORKER_HEALTH_PORT: where /healthz answers (the chart's probes); none when unset. */
  healthPort?: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class AgentConfigError extends Error {
  override name = 'AgentConfigError';
}

/** KUBECONFIG when set (development, tests); otherwise the pod's service account (in-cluster). */
export function loadKubeConfig(env: NodeJS.ProcessEnv): KubeConfig {
  const kubeConfig = new KubeConfig();
  if (env.KUBECONFIG) {
    try {
      kubeConfig.loadFromFile(env.KUBECONFIG);
    } catch (error) {
      throw new AgentConfigError(`KUBECONFIG: cannot load ${env.KUBECONFIG}: ${(error as Error).message}`);
    }
  } else {
    // Outside a pod loadFromCluster does not fail: it names a server at "https://undefined:undefined".
    if (!env.KUBERNETES_SERVICE_HOST) {
      throw new AgentConfigError('KUBECONFIG is not set, and KUBERNETES_SERVICE_HOST neither: outside a pod, name the cluster\'s kubeconfig file');
    }
    kubeConfig.loadFromCluster();
  }
  return kubeConfig;
}

export function readAgentConfig(env: NodeJS.ProcessEnv = process.env): AgentConfig {
  const clusterId = env.HAVEN_CLUSTER_ID ?? '';
  if (!UUID.test(clusterId)) throw new AgentConfigError('HAVEN_CLUSTER_ID must be the cluster id from its registration (a UUID)');
  const token = env.HAVEN_AGENT_TOKEN;
  if (!token) throw new AgentConfigError('HAVEN_AGENT_TOKEN is not set: the agent token from the cluster\'s registration (the install manifest sets it)');
  const healthPort = readWorkerHealthPort(env, (message) => new AgentConfigError(message));
  return {
    clusterId,
    // The install manifest (services/api/resources/clusters/agent-manifest.ts) sets these.
    gateway: readGatewaySettings(env, 'the install manifest sets it'),
    token,
    kubeConfig: loadKubeConfig(env),
    ...metricsListenSetting(env, (message) => new AgentConfigError(message)),
    ...(healthPort === undefined ? {} : { healthPort }),
  };
}
