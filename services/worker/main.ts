import { NativeConnection } from '@temporalio/worker';
import { connectTemporalClient } from '../../lib/common/temporal/client.js';
import { connectDatabase } from '../../lib/db/client.js';
import { readWorkerConfig } from './config.js';
import { createControlWorker } from './worker.js';

// `tsx services/worker/main.ts`. The Temporal worker stops on SIGINT/SIGTERM after in-flight tasks.
const config = readWorkerConfig();
const database = connectDatabase(config.databaseUrl);
const temporalClient = await connectTemporalClient(config.temporal);
const connection = await NativeConnection.connect({ address: config.temporal.address });
try {
  const worker = await createControlWorker({ connection, client: temporalClient.client, temporal: config.temporal, db: database.db, keyring: config.keyring });
  console.log(`haven worker polling ${config.temporal.controlTaskQueue} on ${config.temporal.address} (${config.temporal.namespace})`);
  await worker.run();
} finally {
  await connection.close();
  await temporalClient.close();
  await database.close();
}
