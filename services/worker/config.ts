import { storageAccessPolicy, type StorageAccessPolicy } from '../../lib/common/storage-access/policy.js';
import { parseKeyring, type SecretKeyring } from '../../lib/common/secrets.js';
import { readTemporalConfig, type TemporalConfig } from '../../lib/common/temporal/config.js';
import { readWorkerHealthPort } from '../../lib/common/temporal/worker-health.js';
import { prebuiltWorkflowBundle } from './workflow-bundle.js';
import { metricsListenSetting, type MetricsListen } from '../../lib/common/metrics/listener.js';
import { notificationNetworks } from '../../lib/common/notification-networks.js';
import type { EndpointNetworks } from '../../lib/common/storage-access/endpoints.js';

/** The control worker's environment, read once at start. */
export interface WorkerConfig {
  temporal: TemporalConfig;
  databaseUrl: string;
  /** HAVEN_SECRET_KEY, the same as the API's: storage credentials and repository secrets are under it. */
  keyring: SecretKeyring;
  gcGraceMs?: number;
  /** HAVEN_REPOSITORY_CONCURRENCY: repository activities this worker runs at once. */
  repositoryConcurrency?: number;
  storageAccess: StorageAccessPolicy;
  /** HAVEN_WORKER_HEALTH_PORT: where /healthz answers; none when unset. */
  healthPort?: number;
  /** HAVEN_WORKFLOW_BUNDLE: the workflows bundled at build; bundled at start when unset. */
  workflowBundle?: { codePath: string };
  /** HAVEN_METRICS_LISTEN: where /metrics is served; unset serves none. */
  metricsListen?: MetricsListen;
  /** HAVEN_NOTIFICATION_PRIVATE_NETWORKS: internal networks webhooks and SMTP servers may be on. */
  notificationNetworks: EndpointNetworks;
}

export class WorkerConfigError extends Error {
  override name = 'WorkerConfigError';
}

function guarded<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw new WorkerConfigError((error as Error).message);
  }
}

function readStorageAccess(env: NodeJS.ProcessEnv): StorageAccessPolicy {
  try {
    return storageAccessPolicy(env);
  } catch (error) {
    throw new WorkerConfigError((error as Error).message);
  }
}

export function readWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  if (!env.DATABASE_URL) throw new WorkerConfigError('DATABASE_URL is not set');
  const grace = env.HAVEN_GC_GRACE_MINUTES;
  if (grace !== undefined && grace !== '' && !/^\d+$/.test(grace)) throw new WorkerConfigError(`HAVEN_GC_GRACE_MINUTES "${grace}" is not a whole number of minutes`);
  const concurrency = env.HAVEN_REPOSITORY_CONCURRENCY;
  if (concurrency !== undefined && concurrency !== '' && !/^[1-9]\d*$/.test(concurrency)) throw new WorkerConfigError(`HAVEN_REPOSITORY_CONCURRENCY "${concurrency}" is not a whole number of at least 1`);
  const healthPort = readWorkerHealthPort(env, (message) => new WorkerConfigError(message));
  const workflowBundle = prebuiltWorkflowBundle(env);
  return {
    temporal: readTemporalConfig(env),
    databaseUrl: env.DATABASE_URL,
    keyring: parseKeyring(env.HAVEN_SECRET_KEY),
    storageAccess: readStorageAccess(env),
    notificationNetworks: guarded(() => notificationNetworks(env)),
    ...metricsListenSetting(env, (message) => new WorkerConfigError(message)),
    ...(grace ? { gcGraceMs: Number(grace) * 60_000 } : {}),
    ...(concurrency ? { repositoryConcurrency: Number(concurrency) } : {}),
    ...(healthPort === undefined ? {} : { healthPort }),
    ...(workflowBundle ? { workflowBundle } : {}),
  };
}
