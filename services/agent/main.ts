import { NativeConnection } from '@temporalio/worker';
import { gatewayConnectionOptions } from '../../lib/cluster-access/gateway-connection.js';
import { createAgentWorker } from './agent.js';
import { moverPodSettings } from '../../activities/cluster/mover-pods/mover-settings.js';
import { readAgentConfig } from './config.js';
import { readConfigOrExit } from '../../lib/common/config-exit.js';
import { startMetricsListener } from '../../lib/common/metrics/listener.js';
import { processRegistry } from '../../lib/common/metrics/registry.js';
import { serveWorkerHealth } from '../../lib/common/temporal/worker-health.js';

// `tsx services/agent/main.ts`. The Temporal worker stops on SIGINT/SIGTERM after in-flight tasks.
const config = readConfigOrExit('agent', () => readAgentConfig());
const connection = await NativeConnection.connect(gatewayConnectionOptions(config.gateway, config.token));
const registry = processRegistry('agent');
registry.setDefaultLabels({ process: 'agent', cluster: config.clusterId });
const metrics = config.metricsListen ? await startMetricsListener(registry, config.metricsListen) : undefined;
if (metrics) console.log(`haven agent metrics on http://${metrics.address}/metrics`);
try {
  const worker = await createAgentWorker({ connection, namespace: config.gateway.namespace, ...config, mover: moverPodSettings(process.env, config.gateway), metrics: registry });
  const health = config.healthPort === undefined ? undefined : await serveWorkerHealth(worker, config.healthPort);
  console.log(`haven agent for cluster ${config.clusterId} polling through the gateway at ${config.gateway.address}`);
  try {
    await worker.run();
  } finally {
    health?.close();
  }
} finally {
  await metrics?.close();
  await connection.close();
}
