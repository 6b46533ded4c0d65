import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync, chownSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { Component, ComponentState } from '../component.js';
import { logDir, runDir } from '../paths.js';
import { StackComponentError, say } from '../progress.js';
import { run, waitUntil } from '../processes.js';
import { reusablePort } from '../ports.js';
import { aptInstall } from '../toolchain.js';

const user = 'haven';
const password = 'haven-local';
const database = 'haven';
const dataDir = join(runDir, 'postgres', 'data');
const socketDir = join(runDir, 'postgres');
const logFile = join(logDir, 'postgres.log');

function findBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl')));
  versions.sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : undefined;
}

/**
 * Postgres refuses to run as root, so as root the private instance runs as the `postgres` user that
 * Debian's package creates; otherwise it runs as the current user.
 */
async function runAs(): Promise<{ uid?: number; gid?: number }> {
  if (process.getuid?.() !== 0) return {};
  const id = await run('id', ['-u', 'postgres']);
  const gid = await run('id', ['-g', 'postgres']);
  if (id.code !== 0) throw new StackComponentError('postgres', 'the postgres system user is missing (install the postgresql package)');
  return { uid: Number(id.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

function url(port: number): string {
  return `postgres://${user}:${password}@127.0.0.1:${port}/${database}`;
}

async function canQuery(port: number, db = database): Promise<boolean> {
  const client = new pg.Client({ host: '127.0.0.1', port, user, password, database: db, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export const postgres: Component = {
  name: 'postgres',

  async install() {
    if (!findBinDir()) await aptInstall('postgres', ['postgresql']);
  },

  async start(previous) {
    const bin = findBinDir();
    if (!bin) throw new StackComponentError('postgres', 'no PostgreSQL server binaries under /usr/lib/postgresql');
    const owner = await runAs();
    const port = await reusablePort(previous?.ports.postgres);
    mkdirSync(socketDir, { recursive: true });
    mkdirSync(logDir, { recursive: true });
    if (owner.uid !== undefined) {
      chownSync(socketDir, owner.uid, owner.gid ?? owner.uid);
      if (!existsSync(logFile)) writeFileSync(logFile, '');
      chownSync(logFile, owner.uid, owner.gid ?? owner.uid);
    }
    if (!existsSync(join(dataDir, 'PG_VERSION'))) {
      say('postgres', 'initialising a private cluster');
      const pwFile = join(socketDir, 'pwfile');
      writeFileSync(pwFile, password, { mode: 0o644 });
      const init = await run(join(bin, 'initdb'), ['-D', dataDir, '-U', user, '--auth=scram-sha-256', `--pwfile=${pwFile}`, '-E', 'UTF8', '--locale=C'], owner);
      writeFileSync(logFile, init.stdout + init.stderr, { flag: 'a' });
      if (init.code !== 0) throw new StackComponentError('postgres', 'initdb failed', logFile);
    }
    // fsync off: this instance holds test data only and durability across power loss is not needed.
    const options = `-p ${port} -k ${socketDir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
    const started = await run(join(bin, 'pg_ctl'), ['-D', dataDir, '-l', logFile, '-o', options, '-w', '-t', '60', 'start'], owner);
    if (started.code !== 0) throw new StackComponentError('postgres', `pg_ctl start failed: ${started.stderr.trim()}`, logFile);
    await waitUntil('postgres', 'accepting connections', () => canQuery(port, 'postgres'), { timeoutMs: 30_000, logFile });
    const admin = new pg.Client({ host: '127.0.0.1', port, user, password, database: 'postgres' });
    await admin.connect();
    const exists = await admin.query('select 1 from pg_database where datname = $1', [database]);
    if (exists.rowCount === 0) await admin.query(`create database ${database}`);
    await admin.end();
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return { pids: [pid], programHint: 'postgres', ports: { postgres: port }, env: { DATABASE_URL: url(port) }, extra: { bin } };
  },

  async healthy(state: ComponentState) {
    const port = state.ports.postgres;
    return port !== undefined && canQuery(port);
  },

  async stop(state) {
    const bin = state.extra?.bin ?? findBinDir();
    if (!bin || !existsSync(join(dataDir, 'postmaster.pid'))) return;
    await run(join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'fast', '-w', 'stop'], await runAs());
  },
};
