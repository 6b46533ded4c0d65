import { Writable } from 'node:stream';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { LOG_REDACTIONS } from '../../../services/api/app.js';
import { createOrganizationWithKey } from '../../../services/api/auth/bootstrap.js';
import { generateSecretToken } from '../../../lib/common/secret-tokens.js';
import { readConfig } from '../../../services/api/config.js';
import type { ApiConfig } from '../../../services/api/config.js';
import type { Clock } from '../../../lib/common/clock.js';
import type { AgentLiveness } from '../../../services/api/seams/agent-liveness.js';
import type { WorkflowLauncher } from '../../../services/api/seams/workflow-launcher.js';
import type { StorageProbe } from '../../../services/api/seams/storage-probe.js';
import { startApi } from '../../../services/api/server.js';
import type { RunningApi } from '../../../services/api/server.js';
import { generateKeyEntry } from '../../../lib/common/secrets.js';
import type { Role } from '../../../lib/common/enums.js';
import { createTestDatabase } from './test-database.js';

export const FILESYSTEM_TARGETS_ROOT = '/srv/haven';

export interface TestOrganization {
  orgId: string;
  keys: Record<Role, string>;
}

export interface TestApi {
  app: FastifyInstance;
  running: RunningApi;
  config: ApiConfig;
  /** Every log line the API wrote, as raw JSON text. */
  logText(): string;
  createOrganization(name?: string): Promise<TestOrganization>;
  close(): Promise<void>;
}

export interface TestApiOptions {
  launcher?: WorkflowLauncher;
  liveness?: AgentLiveness;
  clock?: Clock;
  env?: Record<string, string>;
  storageProbe?: StorageProbe;
}

export async function startTestApi(options: TestApiOptions = {}): Promise<TestApi> {
  const database = await createTestDatabase();
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  // No expiry Schedule unless a test asks: test files would leave one per control queue on the shared Temporal.
  const config = readConfig({ DATABASE_URL: database.url, HAVEN_SECRET_KEY: generateKeyEntry('test1'), HAVEN_EXPIRY_INTERVAL_MINUTES: '0', HAVEN_SWEEP_INTERVAL_MINUTES: '0', HAVEN_RDS_INVENTORY_INTERVAL_MINUTES: '0',
    // As the stack's installation allows: its S3 servers on loopback; filesystem targets under /srv/haven/<organization>.
    HAVEN_STORAGE_PRIVATE_NETWORKS: process.env.HAVEN_STORAGE_PRIVATE_NETWORKS ?? '',
    HAVEN_FILESYSTEM_TARGETS_ROOT: FILESYSTEM_TARGETS_ROOT,
    ...options.env,
  });
  let running: RunningApi;
  try {
    running = await startApi({
      config,
      // Debug level so request bodies' fate in logs is exercised as much as possible.
      logger: { level: 'debug', stream, redact: { paths: LOG_REDACTIONS, censor: '[redacted]' } },
      ...(options.launcher ? { launcher: options.launcher } : {}),
      ...(options.liveness ? { liveness: options.liveness } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.storageProbe ? { storageProbe: options.storageProbe } : {}),
    });
  } catch (error) {
    await database.drop();
    throw error;
  }
  let organizations = 0;
  return {
    app: running.app,
    running,
    config,
    logText: () => lines.join(''),
    async createOrganization(name) {
      organizations += 1;
      const keys = { admin: generateSecretToken(), operator: generateSecretToken(), viewer: generateSecretToken() };
      const { orgId } = await createOrganizationWithKey(running.database.db, {
        organizationName: name ?? `org-${organizations}`,
        keyName: 'admin',
        key: keys.admin,
        role: 'admin',
      });
      const client = authorized(running.app, keys.admin);
      for (const role of ['operator', 'viewer'] as const) {
        const response = await client.post('/api-keys', { name: role, role });
        if (response.statusCode !== 201) throw new Error(`creating a ${role} key failed: ${response.body}`);
        keys[role] = response.json<{ key: string }>().key;
      }
      return { orgId, keys };
    },
    async close() {
      await running.close();
      await database.drop();
    },
  };
}

export interface Client {
  get(path: string, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  post(path: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  put(path: string, body: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  delete(path: string, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
}

/** Requests under /api/v1 with the given API key. */
export function authorized(app: FastifyInstance, key: string): Client {
  const send = (method: InjectOptions['method'], path: string, body?: unknown, headers: Record<string, string> = {}) =>
    app.inject({
      method,
      url: `/api/v1${path}`,
      headers: { authorization: `Bearer ${key}`, ...headers },
      ...(body === undefined ? {} : { payload: body as InjectOptions['payload'] }),
    });
  return {
    get: (path, headers) => send('GET', path, undefined, headers),
    post: (path, body, headers) => send('POST', path, body ?? {}, headers),
    put: (path, body, headers) => send('PUT', path, body, headers),
    delete: (path, headers) => send('DELETE', path, undefined, headers),
  };
}

/** PUT with the current ETag, as a careful client would. */
export async function putCurrent(client: Client, path: string, change: (current: Record<string, unknown>) => unknown) {
  const current = await client.get(path);
  return client.put(path, change(current.json()), { 'if-match': String(current.headers.etag) });
}
