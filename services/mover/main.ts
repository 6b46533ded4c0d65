import '../../lib/datamover/cli/threadpool.js';
import { NativeConnection } from '@temporalio/worker';
import { readMoverConfig } from './config.js';
import { createMoverWorker, progressSignals } from './mover.js';

// The data-mover pod: `node --import tsx services/mover/main.ts --memory-limit-mb N`. It lives as long
// as its pod; the workflow deletes the pod when its activity is done. SIGTERM stops after the task.
// The pod spec sizes V8's heap through NODE_OPTIONS, so no second process is needed for it.
const config = readMoverConfig();

const connection = await NativeConnection.connect({ address: config.temporalAddress });
const progress = await progressSignals(config);
try {
  const worker = await createMoverWorker(connection, config, progress.sink);
  console.log(`haven data mover polling ${config.taskQueue} on ${config.temporalAddress}`);
  await worker.run();
} finally {
  await progress.close();
  await connection.close();
}
