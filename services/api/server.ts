import type { FastifyInstance } from 'fastify';
import type { FastifyServerOptions } from 'fastify';
import { connectDatabase } from '../../lib/db/client.js';
import type { DatabaseHandle } from '../../lib/db/client.js';
import { runMigrations } from '../../lib/db/migrate.js';
import { OrganizationPayloadKeys } from '../../lib/db/organization-payload-keys.js';
import { buildApp } from './app.js';
import { bootstrapFirstOrganization } from './auth/bootstrap.js';
import type { ApiConfig } from './config.js';
import type { Clock } from '../../lib/common/clock.js';
import { systemClock } from '../../lib/common/clock.js';
import type { AgentLiveness } from './seams/agent-liveness.js';
import type { WorkflowLauncher } from './seams/workflow-launcher.js';
import { unavailableSeams } from './seams/unavailable.js';
import { syncExpirySchedule } from './seams/expiry-schedule.js';
import { syncSweepSchedule } from './seams/sweep-schedule.js';
import { s3StorageProbe } from './seams/s3-storage-probe.js';
import type { StorageProbe } from './seams/storage-probe.js';
import { reconcileSchedules } from './seams/schedule-reconcile.js';
import { reconcileVerificationSchedules } from './seams/verification-schedule.js';
import { connectWorkflowEngine } from './seams/workflow-engine.js';
import { awsCloudAccountChecker, type CloudAccountChecker } from './seams/cloud-account-check.js';
import { syncRdsInventorySchedule } from './seams/rds-inventory-schedule.js';
import { startMetricsListener, type MetricsListener } from '../../lib/common/metrics/listener.js';
import { processRegistry } from '../../lib/common/metrics/registry.js';
import { installationGauges } from './metrics/installation-gauges.js';

export interface StartOptions {
  config: ApiConfig;
  logger?: FastifyServerOptions['logger'];
  launcher?: WorkflowLauncher;
  liveness?: AgentLiveness;
  clock?: Clock;
  /** The storage probe; the real one with the installation's settings when not given (tests shorten its deadlines). */
  storageProbe?: StorageProbe;
  /** Checks a cloud account before it is saved; AWS (STS and IAM) when not given. */
  cloudAccountCheck?: CloudAccountChecker;
}

export interface RunningApi {
  app: FastifyInstance;
  database: DatabaseHandle;
  /** The metrics listener's host:port, when HAVEN_METRICS_LISTEN is set. */
  metricsAddress: string | undefined;
  close(): Promise<void>;
}

/**
 * Start-up order: connect, migrate, bootstrap the first organization if asked, build the app. Used by
 * main.ts and by tests, so tests exercise the same start-up path as production.
 */
export async function startApi(options: StartOptions): Promise<RunningApi> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const database = connectDatabase(config.databaseUrl);
  // Injected seams (tests) win; otherwise Temporal when configured, else the honest "unavailable" ones.
  const payloadKeys = config.workflowEngine ? new OrganizationPayloadKeys(database.db, config.workflowEngine.payloadKeyring) : null;
  let engine: ReturnType<typeof connectWorkflowEngine> | undefined;
  let metrics: MetricsListener | undefined;
  try {
    engine = !options.launcher && config.workflowEngine ? connectWorkflowEngine(config.workflowEngine, payloadKeys!, clock) : undefined;
    await runMigrations(database.pool);
    if (config.bootstrapApiKey) await bootstrapFirstOrganization(database.db, config.bootstrapApiKey);
    const unavailable = unavailableSeams();
    const liveness = options.liveness ?? engine?.liveness ?? unavailable.liveness;
    const registry = processRegistry('api');
    const app = await buildApp({
      metrics: registry,
      logger: options.logger ?? false,
      rateLimits: config.rateLimits,
      trustedProxies: config.trustedProxies,
      consoleDir: config.consoleDir,
      context: {
        db: database.db,
        keyring: config.keyring,
        payloadKeys,
        launcher: options.launcher ?? engine?.launcher ?? unavailable.launcher,
        liveness,
        previewer: engine?.previewer ?? unavailable.previewer,
        inventory: engine?.inventory ?? unavailable.inventory,
        runProgress: engine?.runProgress ?? unavailable.runProgress,
        storageProbe: options.storageProbe ?? s3StorageProbe(config.storageAccess.endpoints),
        cloudAccountCheck: options.cloudAccountCheck ?? awsCloudAccountChecker,
        filesystemRoot: config.storageAccess.filesystemRoot,
        storageAccess: config.storageAccess,
        clock,
        installationAdminKey: config.installationAdminKey,
        agent: config.agent,
        temporal: config.temporal,
        notificationNetworks: config.notificationNetworks,
      },
    });
    installationGauges(registry, { db: database.db, liveness, clock });
    metrics = config.metricsListen ? await startMetricsListener(registry, config.metricsListen) : undefined;
    if (engine) {
      // Temporal keeps firing the schedules it has whatever happens here, so a failure is reported, not fatal.
      await reconcileSchedules(database.db, engine.schedules).then(
        (report) => app.log.info(report, 'schedules reconciled with the database'),
        (error: unknown) => app.log.error({ err: error }, 'reconciling schedules with the database failed; they stay as Temporal has them'),
      );
      await reconcileVerificationSchedules(database.db, engine.schedules, config.workflowEngine!.controlTaskQueue).then(
        (report) => app.log.info(report, 'storage verification schedules reconciled with the database'),
        (error: unknown) => app.log.error({ err: error }, 'reconciling storage verification schedules failed; they stay as Temporal has them'),
      );
      await syncExpirySchedule(engine.schedules, config.workflowEngine!.controlTaskQueue, config.expiryIntervalMinutes).then(
        () => app.log.info({ intervalMinutes: config.expiryIntervalMinutes }, 'recovery point expiry schedule set'),
        (error: unknown) => app.log.error({ err: error }, 'setting the recovery point expiry schedule failed; expired points wait for the next start'),
      );
      await syncSweepSchedule(engine.schedules, config.workflowEngine!.controlTaskQueue, config.sweepIntervalMinutes).then(
        () => app.log.info({ intervalMinutes: config.sweepIntervalMinutes }, 'leftover sweep schedule set'),
        (error: unknown) => app.log.error({ err: error }, 'setting the leftover sweep schedule failed; leftovers wait for the next start'),
      );
      await syncRdsInventorySchedule(engine.schedules, config.workflowEngine!.controlTaskQueue, config.rdsInventoryIntervalMinutes).then(
        () => app.log.info({ intervalMinutes: config.rdsInventoryIntervalMinutes }, 'RDS inventory schedule set'),
        (error: unknown) => app.log.error({ err: error }, 'setting the RDS inventory schedule failed; inventories refresh on demand until the next start'),
      );
    }
    return {
      app,
      database,
      metricsAddress: metrics?.address,
      close: async () => {
        await metrics?.close();
        await app.close();
        await engine?.close();
        await database.close();
      },
    };
  } catch (error) {
    await metrics?.close();
    await engine?.close();
    await database.close();
    throw error;
  }
}
