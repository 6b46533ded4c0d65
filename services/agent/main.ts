import { NativeConnection } from '@temporalio/worker';
import { createAgentWorker } from './agent.js';
import { moverPodSettings } from '../../activities/cluster/mover-pods/mover-settings.js';
import { readAgentConfig } from './config.js';

// `tsx services/agent/main.ts`. The Temporal worker stops on SIGINT/SIGTERM after in-flight tasks.
const config = readAgentConfig();
const connection = await NativeConnection.connect({ address: config.temporalAddress });
try {
  const worker = await createAgentWorker({ connection, namespace: config.temporalNamespace, ...config, mover: moverPodSettings(process.env, config) });
  console.log(`haven agent for cluster ${config.clusterId} polling on ${config.temporalAddress}`);
  await worker.run();
} finally {
  await connection.close();
}
