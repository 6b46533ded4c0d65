import '../../lib/datamover/cli/threadpool.js';
import { NativeConnection } from '@temporalio/worker';
import { gatewayConnectionOptions } from '../../lib/cluster-access/gateway-connection.js';
import { readConfigOrExit } from '../../lib/common/config-exit.js';
import { readMoverConfig } from './config.js';
import { createMoverWorker } from './mover.js';

// The data-mover pod: `node dist/mover/main.js --memory-limit-mb N`, this file bundled at build (scripts/image/mover-bundle.ts). It lives as long
// as its pod; the workflow deletes the pod when its activity is done. SIGTERM stops after the task.
// The pod spec sizes V8's heap through NODE_OPTIONS, so no second process is needed for it.
const config = readConfigOrExit('mover', () => readMoverConfig());

const connection = await NativeConnection.connect(gatewayConnectionOptions(config.gateway, config.token));
try {
  const worker = await createMoverWorker(connection, config);
  console.log(`haven data mover polling ${config.taskQueue} through the gateway at ${config.gateway.address}`);
  await worker.run();
} finally {
  await connection.close();
}
