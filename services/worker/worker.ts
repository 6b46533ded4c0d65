import type { StorageAccessPolicy } from '../../lib/common/storage-access/policy.js';
import type { StorageRequestLimits } from '../../lib/datamover/storage/request-limits.js';
import type { Client } from '@temporalio/client';
import { Worker, type NativeConnection } from '@temporalio/worker';
import { createControlActivities } from '../../activities/control/index.js';
import type { SecretKeyring } from '../../lib/common/secrets.js';
import type { TemporalConfig } from '../../lib/common/temporal/config.js';
import { havenDataConverter } from '../../lib/common/temporal/data-converter.js';
import type { PayloadKeySource } from '../../lib/common/temporal/payload-codec.js';
import type { Database } from '../../lib/db/client.js';
import { bundleControlWorkflows } from './workflow-bundle.js';
import type { JobMetrics } from '../../activities/control/job-metrics.js';
import { DEFAULT_SEND_TIMEOUT_MS } from '../../activities/control/notifications/deliveries.js';
import type { EndpointNetworks } from '../../lib/common/storage-access/endpoints.js';
import { DEFAULT_DELIVERY_RETRY, type DeliveryRetry } from '../../lib/domain/notifications.js';

export interface ControlWorkerOptions {
  connection: NativeConnection;
  /** A workflow client with the same codec, for the activities that ask Temporal about other runs. */
  client: Client;
  temporal: TemporalConfig;
  db: Database;
  keyring: SecretKeyring;
  /** Seals each organization's payloads with its own key (the same source as `client`'s). */
  payloadKeys: PayloadKeySource;
  clock?: () => Date;
  /** What expiry and SafeLock are judged by, when not `clock` (tests standing days later). */
  retentionClock?: () => Date;
  /** How long unreferenced packs wait before GC reclaims them (HAVEN_GC_GRACE_MINUTES); the data mover's default when unset. */
  gcGraceMs?: number;
  /** Which storage tenants may point the control plane at; from the environment when unset. */
  storageAccess?: StorageAccessPolicy;
  /** Deadlines and answer sizes of requests to tenants' storage; the data mover's defaults when unset. */
  storageLimits?: StorageRequestLimits;
  /** Caps one target's GC budget per pass (tests shorten it); the pass's own budget (MAINTENANCE_BUDGET_MS) otherwise. */
  maintenanceBudgetMs?: number;
  /** Repository activities run at once (HAVEN_REPOSITORY_CONCURRENCY); DEFAULT_REPOSITORY_CONCURRENCY when unset. */
  repositoryConcurrency?: number;
  /** Counts ended jobs for /metrics. */
  jobMetrics?: JobMetrics;
  /** Where notifications may go (HAVEN_NOTIFICATION_PRIVATE_NETWORKS); unset, ended jobs notify nobody. */
  notificationNetworks?: EndpointNetworks;
  /** The delivery back-off; DEFAULT_DELIVERY_RETRY unless tests shorten it. */
  notificationRetry?: DeliveryRetry;
  /**
   * Workflow code bundled beforehand by bundleControlWorkflows (the image's file, or the tests' shared
   * bundle); bundled by it at start otherwise, so every worker runs the same bundle configuration.
   */
  workflowBundle?: { code: string } | { codePath: string };
}

/** The control plane's worker: every workflow, and the activities that touch Postgres and Temporal. */
export async function createControlWorker(options: ControlWorkerOptions): Promise<Worker> {
  const { temporal } = options;
  return Worker.create({
    connection: options.connection,
    namespace: temporal.namespace,
    taskQueue: temporal.controlTaskQueue,
    workflowBundle: options.workflowBundle ?? { code: await bundleControlWorkflows() },
    activities: createControlActivities({
      db: options.db,
      keyring: options.keyring,
      installationKeyring: temporal.payloadKeyring,
      temporal: { client: options.client, namespace: temporal.namespace },
      clock: options.clock ?? (() => new Date()),
      ...(options.retentionClock ? { retentionClock: options.retentionClock } : {}),
      ...(options.gcGraceMs === undefined ? {} : { gcGraceMs: options.gcGraceMs }),
      ...(options.storageAccess ? { storageAccess: options.storageAccess } : {}),
      ...(options.storageLimits ? { storageLimits: options.storageLimits } : {}),
      ...(options.maintenanceBudgetMs === undefined ? {} : { maintenanceBudgetMs: options.maintenanceBudgetMs }),
      ...(options.repositoryConcurrency === undefined ? {} : { repositoryConcurrency: options.repositoryConcurrency }),
      ...(options.jobMetrics ? { jobMetrics: options.jobMetrics } : {}),
      ...(options.notificationNetworks
        ? {
            notifications: {
              networks: options.notificationNetworks,
              retry: options.notificationRetry ?? DEFAULT_DELIVERY_RETRY,
              sendTimeoutMs: DEFAULT_SEND_TIMEOUT_MS,
              taskQueue: temporal.controlTaskQueue,
            },
          }
        : {}),
    }),
    dataConverter: havenDataConverter(options.payloadKeys),
  });
}
