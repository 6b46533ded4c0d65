import { connectDatabase } from '../../lib/db/client.js';
import { systemClock } from '../../lib/common/clock.js';
import { generateKeyEntry } from '../../lib/common/secrets.js';
import { buildApp } from './app.js';
import { readConfig } from './config.js';
import { s3StorageProbe } from './seams/s3-storage-probe.js';
import { unavailableSeams } from './seams/unavailable.js';
import { awsCloudAccountChecker } from './seams/cloud-account-check.js';

/** Nothing listens here: building the routes opens no connection, and the document never queries. */
const UNREACHED_DATABASE_URL = 'postgres://document-only@127.0.0.1:1/none';

/**
 * The OpenAPI document exactly as the API serves it at /openapi.json, built from the routes without a
 * database, Temporal or a listening server, so generators (the CLI's client types, scripts/generate-client.ts)
 * run anywhere. The document depends on the routes only, not on configuration, which is why defaults do.
 */
export async function openApiDocument(): Promise<Record<string, unknown>> {
  const config = readConfig({ DATABASE_URL: UNREACHED_DATABASE_URL, HAVEN_SECRET_KEY: generateKeyEntry('document') });
  const database = connectDatabase(config.databaseUrl);
  const app = await buildApp({
    rateLimits: config.rateLimits,
    context: {
      db: database.db,
      keyring: config.keyring,
      payloadKeys: null,
      ...unavailableSeams(),
      storageProbe: s3StorageProbe(config.storageAccess.endpoints),
      cloudAccountCheck: awsCloudAccountChecker,
      filesystemRoot: undefined,
      storageAccess: config.storageAccess,
      clock: systemClock,
      agent: config.agent,
      temporal: config.temporal,
      notificationNetworks: config.notificationNetworks,
    },
  });
  try {
    // Through JSON, as /openapi.json sends it: TypeBox's symbol keys are not part of the document.
    return JSON.parse(JSON.stringify(app.swagger())) as Record<string, unknown>;
  } finally {
    await app.close();
    await database.close();
  }
}
