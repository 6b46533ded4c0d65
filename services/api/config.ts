import { fileURLToPath } from 'node:url';
import { storageAccessPolicy, type StorageAccessPolicy } from '../../lib/common/storage-access/policy.js';
import { readGatewaySettings, type GatewaySettings } from '../../lib/cluster-access/gateway-connection.js';
import { parseNetworkList } from '../../lib/common/networks.js';
import { parseKeyring } from '../../lib/common/secrets.js';
import type { SecretKeyring } from '../../lib/common/secrets.js';
import { havenImage } from '../../lib/common/haven-image.js';
import { readTemporalConfig } from '../../lib/common/temporal/config.js';
import type { TemporalConfig } from '../../lib/common/temporal/config.js';
import { DEFAULT_EXPIRY_INTERVAL_MINUTES } from './seams/expiry-schedule.js';
import { intervalMinutes } from './seams/interval-schedule.js';
import { DEFAULT_SWEEP_INTERVAL_MINUTES } from './seams/sweep-schedule.js';
import { DEFAULT_RDS_INVENTORY_INTERVAL_MINUTES } from '../../lib/domain/rds/inventory.js';
import { metricsListenSetting, type MetricsListen } from '../../lib/common/metrics/listener.js';
import { notificationNetworks } from '../../lib/common/notification-networks.js';
import type { EndpointNetworks } from '../../lib/common/storage-access/endpoints.js';

/** Everything the API reads from its environment, read once at start. */
export interface ApiConfig {
  port: number;
  host: string;
  databaseUrl: string;
  keyring: SecretKeyring;
  /** Creates the first organization and an admin key with this value, on an empty database only. */
  bootstrapApiKey: string | undefined;
  /** HAVEN_INSTALLATION_ADMIN_KEY: creates organizations and their first admin (`/api/v1/installation`). */
  installationAdminKey: string | undefined;
  logLevel: string;
  agent: AgentSettings;
  temporal: TemporalLinks;
  /** Set when TEMPORAL_ADDRESS is: runs start through Temporal. Null keeps the "workflows unavailable" seams. */
  workflowEngine: TemporalConfig | null;
  /** HAVEN_EXPIRY_INTERVAL_MINUTES: how often the expiry Schedule looks for expired recovery points; 0 = never. */
  expiryIntervalMinutes: number;
  /** HAVEN_SWEEP_INTERVAL_MINUTES: how often the leftover sweep Schedule runs; 0 = never. */
  sweepIntervalMinutes: number;
  /** HAVEN_RDS_INVENTORY_INTERVAL_MINUTES: how often every cloud account's RDS inventory is refreshed; 0 = never. */
  rdsInventoryIntervalMinutes: number;
  /** Which storage tenants may point the control plane at (lib/common/storage-access/policy.ts). */
  storageAccess: StorageAccessPolicy;
  rateLimits: RateLimitSettings;
  /**
   * HAVEN_TRUSTED_PROXIES: the proxies (CIDRs) whose X-Forwarded-For names the client, as Fastify's
   * trustProxy takes them. Empty: the peer is the client and X-Forwarded-For is ignored, since anyone can
   * send it and would pick the address its requests are counted against.
   */
  trustedProxies: string[];
  /** HAVEN_METRICS_LISTEN: the listener /metrics is served on, apart from the API's port; unset serves none. */
  metricsListen?: MetricsListen;
  /** HAVEN_NOTIFICATION_PRIVATE_NETWORKS: internal networks webhook URLs and SMTP hosts may be on. */
  notificationNetworks: EndpointNetworks;
  /** HAVEN_CONSOLE_DIR: the web console's static build, served at /console/ (DEFAULT_CONSOLE_DIR). */
  consoleDir: string;
}

/**
 * How many requests the API serves per window (services/api/plugins/rate-limits.ts): each organization API
 * key has its own budget, and all keys of an organization together one more, so one tenant's burst never
 * slows another's and more keys do not buy more requests; requests no organization key answers for (failed
 * authentication, installation administration, the OpenAPI document) share their client address's budget.
 */
export interface RateLimitSettings {
  /** HAVEN_RATE_LIMIT_PER_KEY: requests per window for one API key. */
  perKey: number;
  /** HAVEN_RATE_LIMIT_PER_ORGANIZATION: requests per window for all API keys of one organization together. */
  perOrganization: number;
  /** HAVEN_RATE_LIMIT_PER_ADDRESS: requests per window from one client address without a valid API key. */
  perAddress: number;
  /** HAVEN_RATE_LIMIT_WINDOW_SECONDS: the window both budgets are counted over. */
  windowSeconds: number;
}

/** What goes into a cluster's agent install manifest. */
export interface AgentSettings {
  image: string;
  /** Where agents reach Haven: the agent gateway as clusters see it, never Temporal itself. */
  gateway: GatewaySettings;
}

export interface TemporalLinks {
  /** Base URL of the Temporal UI; job responses link runs there. */
  uiUrl: string;
  namespace: string;
}

export const DEFAULT_PORT = 8080;
/** Where `npm run build:console` (and the image) put the console's build: dist/console of the checkout. */
export const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../../dist/console', import.meta.url));
/** The gateway's own default port on this host: right for a local cluster, set HAVEN_AGENT_GATEWAY_ADDRESS otherwise. */
export const DEFAULT_AGENT_GATEWAY_ADDRESS = '127.0.0.1:7243';
export const DEFAULT_TEMPORAL_NAMESPACE = 'default';
export const DEFAULT_TEMPORAL_UI_URL = 'http://127.0.0.1:8233';
export const MIN_BOOTSTRAP_KEY_LENGTH = 32;
/** 10 requests a second sustained: a dashboard polling every record of a large organization stays well under it. */
export const DEFAULT_RATE_LIMIT_PER_KEY = 600;
/** Five keys' worth: several dashboards and pipelines of one organization at once; minting more keys adds nothing past it. */
export const DEFAULT_RATE_LIMIT_PER_ORGANIZATION = 3000;
/** Unauthenticated work is rare (reading the OpenAPI document, the installation admin's calls); failures are not retried in bulk. */
export const DEFAULT_RATE_LIMIT_PER_ADDRESS = 60;
export const DEFAULT_RATE_LIMIT_WINDOW_SECONDS = 60;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new ConfigError(`${name} "${raw}" is not a whole number of at least 1`);
  return value;
}

function readRateLimits(env: NodeJS.ProcessEnv): RateLimitSettings {
  return {
    perKey: positiveInteger(env, 'HAVEN_RATE_LIMIT_PER_KEY', DEFAULT_RATE_LIMIT_PER_KEY),
    perOrganization: positiveInteger(env, 'HAVEN_RATE_LIMIT_PER_ORGANIZATION', DEFAULT_RATE_LIMIT_PER_ORGANIZATION),
    perAddress: positiveInteger(env, 'HAVEN_RATE_LIMIT_PER_ADDRESS', DEFAULT_RATE_LIMIT_PER_ADDRESS),
    windowSeconds: positiveInteger(env, 'HAVEN_RATE_LIMIT_WINDOW_SECONDS', DEFAULT_RATE_LIMIT_WINDOW_SECONDS),
  };
}

function readTrustedProxies(env: NodeJS.ProcessEnv): string[] {
  try {
    return parseNetworkList(env.HAVEN_TRUSTED_PROXIES).map(({ address, prefix }) => `${address}/${prefix}`);
  } catch (error) {
    throw new ConfigError(`HAVEN_TRUSTED_PROXIES: ${(error as Error).message}`);
  }
}

function guarded<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}

function readStorageAccess(env: NodeJS.ProcessEnv): StorageAccessPolicy {
  try {
    return storageAccessPolicy(env);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const databaseUrl = env.DATABASE_URL;
  if (!databaseUrl) throw new ConfigError('DATABASE_URL is not set');
  const port = env.PORT === undefined || env.PORT === '' ? DEFAULT_PORT : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`PORT "${env.PORT}" is not a port number`);
  const bootstrapApiKey = env.HAVEN_BOOTSTRAP_API_KEY || undefined;
  const installationAdminKey = env.HAVEN_INSTALLATION_ADMIN_KEY || undefined;
  if (installationAdminKey !== undefined && installationAdminKey.length < MIN_BOOTSTRAP_KEY_LENGTH) {
    throw new ConfigError(`HAVEN_INSTALLATION_ADMIN_KEY must be at least ${MIN_BOOTSTRAP_KEY_LENGTH} characters of random text`);
  }
  if (installationAdminKey !== undefined && installationAdminKey === bootstrapApiKey) {
    throw new ConfigError('HAVEN_INSTALLATION_ADMIN_KEY must differ from HAVEN_BOOTSTRAP_API_KEY: the first organization\'s admin must not administer the installation');
  }
  if (bootstrapApiKey !== undefined && bootstrapApiKey.length < MIN_BOOTSTRAP_KEY_LENGTH) {
    throw new ConfigError(`HAVEN_BOOTSTRAP_API_KEY must be at least ${MIN_BOOTSTRAP_KEY_LENGTH} characters of random text`);
  }
  const temporalNamespace = env.TEMPORAL_NAMESPACE || DEFAULT_TEMPORAL_NAMESPACE;
  const expiryIntervalMinutes = intervalMinutes(env, 'HAVEN_EXPIRY_INTERVAL_MINUTES', DEFAULT_EXPIRY_INTERVAL_MINUTES, (message) => new ConfigError(message));
  const sweepIntervalMinutes = intervalMinutes(env, 'HAVEN_SWEEP_INTERVAL_MINUTES', DEFAULT_SWEEP_INTERVAL_MINUTES, (message) => new ConfigError(message));
  const rdsInventoryIntervalMinutes = intervalMinutes(env, 'HAVEN_RDS_INVENTORY_INTERVAL_MINUTES', DEFAULT_RDS_INVENTORY_INTERVAL_MINUTES, (message) => new ConfigError(message));
  return {
    port,
    host: env.HOST || '127.0.0.1',
    databaseUrl,
    keyring: parseKeyring(env.HAVEN_SECRET_KEY),
    bootstrapApiKey,
    installationAdminKey,
    logLevel: env.LOG_LEVEL || 'info',
    agent: {
      image: havenImage(env, 'HAVEN_AGENT_IMAGE'),
      // The gateway as clusters reach it; its TLS settings are the ones agents and movers use.
      gateway: readGatewaySettings(
        {
          HAVEN_GATEWAY_ADDRESS: env.HAVEN_AGENT_GATEWAY_ADDRESS || DEFAULT_AGENT_GATEWAY_ADDRESS,
          TEMPORAL_NAMESPACE: temporalNamespace,
          ...(env.HAVEN_AGENT_GATEWAY_TLS ? { HAVEN_GATEWAY_TLS: env.HAVEN_AGENT_GATEWAY_TLS } : {}),
          ...(env.HAVEN_AGENT_GATEWAY_CA_CERT ? { HAVEN_GATEWAY_CA_CERT: env.HAVEN_AGENT_GATEWAY_CA_CERT } : {}),
        },
        'HAVEN_AGENT_GATEWAY_ADDRESS',
      ),
    },
    temporal: { uiUrl: (env.TEMPORAL_UI_URL || DEFAULT_TEMPORAL_UI_URL).replace(/\/+$/, ''), namespace: temporalNamespace },
    workflowEngine: env.TEMPORAL_ADDRESS ? readTemporalConfig(env) : null,
    storageAccess: readStorageAccess(env),
    expiryIntervalMinutes,
    sweepIntervalMinutes,
    rdsInventoryIntervalMinutes,
    rateLimits: readRateLimits(env),
    trustedProxies: readTrustedProxies(env),
    notificationNetworks: guarded(() => notificationNetworks(env)),
    ...metricsListenSetting(env, (message) => new ConfigError(message)),
    consoleDir: env.HAVEN_CONSOLE_DIR || DEFAULT_CONSOLE_DIR,
  };
}
