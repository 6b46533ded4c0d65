import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { havenSearchAttributes } from '../../../scripts/stack/components/temporal.js';
import { freePort } from '../../../scripts/stack/ports.js';
import { run } from '../../../scripts/stack/processes.js';
import { stackEnv } from '../../support/stack-env.js';
import { startOutageProxy, type OutageProxy } from './outage-proxy.js';

/** The servers Haven depends on that the suite restarts, and the addresses Haven's processes use. */
export interface ServerFaults {
  /** What the suite's processes are given instead of the stack's own addresses. */
  env: { TEMPORAL_ADDRESS: string; DATABASE_URL: string };
  /** How the restarts are done, for the report. */
  describe: string;
  restartTemporal(downtimeMs: number): Promise<void>;
  restartPostgres(downtimeMs: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * `npm run chaos` owns its stack (HAVEN_RUN_DIR): Temporal and Postgres really stop and start again,
 * through the stack's restart hook, on the same ports and data.
 */
export async function stackServers(databaseUrl: string): Promise<ServerFaults> {
  const { restart } = await import('../../../scripts/stack/stack.js');
  return {
    env: { TEMPORAL_ADDRESS: stackEnv('TEMPORAL_ADDRESS'), DATABASE_URL: databaseUrl },
    describe: 'Temporal and Postgres restarted through `npm run stack -- restart`',
    restartTemporal: (downtimeMs) => restart('temporal', downtimeMs),
    restartPostgres: (downtimeMs) => restart('postgres', downtimeMs),
    close: async () => undefined,
  };
}

async function temporalServing(cli: string, address: string): Promise<boolean> {
  const health = await run(cli, ['operator', 'cluster', 'health', '--address', address]);
  return health.code === 0 && health.stdout.includes('SERVING');
}

/**
 * Inside `npm test` the stack's servers are shared with the other test files, so the suite runs its own
 * Temporal dev server (durable, on SQLite, really killed and started again) and reaches the shared
 * Postgres through a proxy whose outage resets every connection, as a restart does to its clients.
 */
export async function privateServers(dataDir: string, databaseUrl: string): Promise<ServerFaults> {
  const cli = stackEnv('TEMPORAL_CLI');
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  mkdirSync(dataDir, { recursive: true });
  let server: ChildProcess | undefined;
  const start = async () => {
    const log = openSync(join(dataDir, 'temporal.log'), 'a');
    server = spawn(cli, [
      'server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(port), '--namespace', 'default', '--log-level', 'warn',
      '--db-filename', join(dataDir, 'temporal.db'), '--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'busy_timeout=10000',
      ...havenSearchAttributes.flatMap((name) => ['--search-attribute', `${name}=Keyword`]),
    ], { stdio: ['ignore', log, log] });
    closeSync(log);
    const deadline = Date.now() + 60_000;
    while (!(await temporalServing(cli, address))) {
      if (Date.now() > deadline || server.exitCode !== null) throw new Error(`the suite's Temporal server did not start; see ${join(dataDir, 'temporal.log')}`);
      await sleep(250);
    }
  };
  const kill = async () => {
    if (!server || server.exitCode !== null || server.signalCode !== null) return;
    const exited = new Promise((resolve) => server!.once('exit', resolve));
    server.kill('SIGKILL');
    await exited;
  };
  await start();
  const database = new URL(databaseUrl);
  const proxy: OutageProxy = await startOutageProxy(database.hostname, Number(database.port));
  database.port = String(proxy.port);
  return {
    env: { TEMPORAL_ADDRESS: address, DATABASE_URL: database.toString() },
    describe: 'a private Temporal dev server SIGKILLed and started again; Postgres connections reset and refused through a proxy',
    async restartTemporal(downtimeMs) {
      await kill();
      await sleep(downtimeMs);
      await start();
    },
    restartPostgres: (downtimeMs) => proxy.outage(downtimeMs),
    async close() {
      await proxy.close();
      await kill();
    },
  };
}
