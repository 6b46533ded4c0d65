import { NativeConnection } from '@temporalio/worker';
import { connectTemporalClient } from '../../lib/common/temporal/client.js';
import { connectDatabase } from '../../lib/db/client.js';
import { OrganizationPayloadKeys } from '../../lib/db/organization-payload-keys.js';
import { readConfigOrExit } from '../../lib/common/config-exit.js';
import { readWorkerConfig } from './config.js';
import { serveWorkerHealth } from '../../lib/common/temporal/worker-health.js';
import { createControlWorker } from './worker.js';
import { jobMetrics } from '../../activities/control/job-metrics.js';
import { startMetricsListener } from '../../lib/common/metrics/listener.js';
import { processRegistry } from '../../lib/common/metrics/registry.js';

// `tsx services/worker/main.ts`. The Temporal worker stops on SIGINT/SIGTERM after in-flight tasks.
const config = readConfigOrExit('worker', () => readWorkerConfig());
const database = connectDatabase(config.databaseUrl);
const payloadKeys = new OrganizationPayloadKeys(database.db, config.temporal.payloadKeyring);
const temporalClient = await connectTemporalClient(config.temporal, payloadKeys);
const connection = await NativeConnection.connect({ address: config.temporal.address });
const registry = processRegistry('worker');
const metrics = config.metricsListen ? await startMetricsListener(registry, config.metricsListen) : undefined;
if (metrics) console.log(`haven worker metrics on http://${metrics.address}/metrics`);
try {
  const worker = await createControlWorker({
    connection,
    client: temporalClient.client,
    temporal: config.temporal,
    db: database.db,
    keyring: config.keyring,
    payloadKeys,
    storageAccess: config.storageAccess,
    jobMetrics: jobMetrics(registry),
    notificationNetworks: config.notificationNetworks,
    ...(config.gcGraceMs === undefined ? {} : { gcGraceMs: config.gcGraceMs }),
    ...(config.repositoryConcurrency === undefined ? {} : { repositoryConcurrency: config.repositoryConcurrency }),
    ...(config.workflowBundle ? { workflowBundle: config.workflowBundle } : {}),
  });
  const health = config.healthPort === undefined ? undefined : await serveWorkerHealth(worker, config.healthPort);
  console.log(`haven worker polling ${config.temporal.controlTaskQueue} on ${config.temporal.address} (${config.temporal.namespace})${config.workflowBundle ? `, workflows from ${config.workflowBundle.codePath}` : ''}`);
  try {
    await worker.run();
  } finally {
    health?.close();
  }
} finally {
  await metrics?.close();
  await connection.close();
  await temporalClient.close();
  await database.close();
}
