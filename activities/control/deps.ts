import type { StorageAccessPolicy } from '../../lib/common/storage-access/policy.js';
import type { StorageRequestLimits } from '../../lib/datamover/storage/request-limits.js';
import type { Client } from '@temporalio/client';
import type { SecretKeyring } from '../../lib/common/secrets.js';
import type { Database } from '../../lib/db/client.js';
import type { JobMetrics } from './job-metrics.js';
import type { NotificationSettings } from './notifications/deliveries.js';

/** What control activities are made over; injected, so tests and the worker wire them the same way. */
export interface ControlDeps {
  db: Database;
  /** HAVEN_SECRET_KEY: decrypts storage credentials and repository secrets. */
  keyring: SecretKeyring;
  /** HAVEN_PAYLOAD_KEY: signs mover tokens (never leaves the control plane). */
  installationKeyring: SecretKeyring;
  /** For DescribeTaskQueue and describing other runs. */
  temporal: { client: Client; namespace: string };
  clock: () => Date;
  /**
   * What expiry and SafeLock are judged by: the control plane's own clock, never a run's input. Apart from
   * `clock` only so tests can stand days later for retention without making every agent look silent.
   */
  retentionClock?: () => Date;
  /** HAVEN_GC_GRACE_MINUTES: how long unreferenced packs wait before GC condemns and deletes them; the data mover's default (6 h) when unset. */
  gcGraceMs?: number;
  /** Which storage tenants may point the control plane at; from the environment (HAVEN_STORAGE_*) when unset. */
  storageAccess?: StorageAccessPolicy;
  /** Deadlines and answer sizes of requests to tenants' storage; the data mover's defaults when unset (tests shorten them). */
  storageLimits?: StorageRequestLimits;
  /** Caps how long one target's garbage collection may run before it stops, to resume next pass; the GC pass's budget (MAINTENANCE_BUDGET_MS) otherwise. */
  maintenanceBudgetMs?: number;
  /** HAVEN_REPOSITORY_CONCURRENCY: repository activities run at once; DEFAULT_REPOSITORY_CONCURRENCY when unset. */
  repositoryConcurrency?: number;
  /** How often RDS waits ask AWS again; DEFAULT_RDS_POLL_INTERVAL_MS when unset (tests shorten it). */
  rdsPollIntervalMs?: number;
  /** Counts ended jobs for the worker's /metrics; unset counts nothing. */
  jobMetrics?: JobMetrics;
  /** How notifications are sent; unset, ended jobs queue and send none (tests of other things). */
  notifications?: NotificationSettings;
}

/** Identifies a job row; every job activity is scoped by the organization as well as the id. */
export interface JobRef {
  orgId: string;
  jobId: string;
}
