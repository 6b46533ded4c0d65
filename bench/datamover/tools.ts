import { spawn } from 'node:child_process';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { v8HeapFlags } from '../../lib/datamover/cli/heap-limit.js';

/** One measured command: wall and CPU seconds and the peak RSS of its biggest process (GNU time). */
export interface Measured {
  seconds: number;
  cpuSeconds: number;
  peakRssMb: number;
  stdout: string;
}

export async function measure(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Measured> {
  const timesFile = `/tmp/haven-bench-time-${process.pid}-${Date.now()}`;
  const started = performance.now();
  const stdout = await new Promise<string>((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-o', timesFile, '-f', '%U %S %M', command, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (data: Buffer) => (out += data.toString()));
    child.stderr.on('data', (data: Buffer) => (err += data.toString()));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${command} ${args.join(' ')} failed (${code}): ${err.slice(-2000)} ${out.slice(-500)}`))));
  });
  const seconds = (performance.now() - started) / 1000;
  const [user, system, maxKb] = (await readFile(timesFile, 'utf8')).trim().split(/\s+/).slice(-3).map(Number);
  await rm(timesFile, { force: true });
  return { seconds, cpuSeconds: user! + system!, peakRssMb: Math.round(maxKb! / 1024), stdout };
}

/** Where a repository lives: a directory, or a prefix in the benchmark's S3 bucket. */
export interface Location {
  kind: 'fs' | 's3';
  /** Directory (fs) or key prefix (s3). */
  path: string;
}

export interface Tool {
  name: string;
  init(location: Location): Promise<void>;
  backup(location: Location, source: string): Promise<Measured>;
  restoreLatest(location: Location, target: string): Promise<Measured>;
}

export interface S3Settings {
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
}

const SECRET = 'bench-secret-not-for-production';
const CLI_SOURCE = fileURLToPath(new URL('../../lib/datamover/cli.ts', import.meta.url));
/** The product default. */
export const MEMORY_LIMIT_MB = 1024;

/**
 * `cli`: a bundled cli.js (see build-cli.ts), run by plain node; undefined runs the TypeScript sources
 * through tsx, paying its compilation in every measured run. `initArgs` go to `init` (e.g. a chunk size).
 */
export function havenTool(s3: S3Settings | undefined, cli?: string, initArgs: string[] = []): Tool {
  const env = (): NodeJS.ProcessEnv => ({
    ...withoutUnusedCaBundle(process.env, s3),
    HAVEN_REPOSITORY_SECRET: SECRET,
    ...(s3 ? { S3_ENDPOINT: s3.endpoint, S3_ACCESS_KEY_ID: s3.accessKeyId, S3_SECRET_ACCESS_KEY: s3.secretAccessKey, S3_PATH_STYLE: 'true' } : {}),
  });
  const repository = (location: Location) => (location.kind === 's3' ? `s3://${s3!.bucket}/${location.path}` : location.path);
  // The heap flags the CLI would otherwise set by re-running itself, given directly to avoid a second process.
  const entry = cli ? [cli] : ['--import', 'tsx', CLI_SOURCE];
  const heap = v8HeapFlags(MEMORY_LIMIT_MB * 1024 * 1024);
  const node = (args: string[]) => measure(process.execPath, [...heap, ...entry, ...args, '--memory-limit-mb', String(MEMORY_LIMIT_MB)], env());
  let latest = '';
  return {
    name: 'haven',
    async init(location) {
      if (location.kind === 'fs') await mkdir(location.path, { recursive: true });
      await node(['init', '--repository', repository(location), ...initArgs]);
    },
    async backup(location, source) {
      const result = await node(['backup', '--repository', repository(location), '--source', source, '--volume', 'bench']);
      latest = (JSON.parse(result.stdout.trim().split('\n').at(-1)!) as { snapshot: { id: string } }).snapshot.id;
      return result;
    },
    restoreLatest: (location, target) => node(['restore', '--repository', repository(location), '--snapshot', latest, '--target', target]),
  };
}

/**
 * Node parses every certificate named by NODE_EXTRA_CA_CERTS when it starts, TLS or not: about 90 ms of
 * CPU per run with the bundle this machine's environment points it at (set for its package proxy). The
 * mover pod has no such variable, and restic and kopia never read it, so haven runs without it unless
 * the S3 endpoint is TLS, where a private CA is what the variable is for.
 */
function withoutUnusedCaBundle(env: NodeJS.ProcessEnv, s3: S3Settings | undefined): NodeJS.ProcessEnv {
  if (s3?.endpoint.startsWith('https:')) return env;
  const { NODE_EXTRA_CA_CERTS: _unused, ...rest } = env;
  return rest;
}

export function resticTool(binary: string, s3: S3Settings | undefined): Tool {
  const env = (): NodeJS.ProcessEnv => ({
    ...process.env,
    RESTIC_PASSWORD: SECRET,
    ...(s3 ? { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey } : {}),
  });
  const repository = (location: Location) => (location.kind === 's3' ? `s3:${s3!.endpoint}/${s3!.bucket}/${location.path}` : location.path);
  const restic = (args: string[]) => measure(binary, ['--no-cache', '-q', ...args], env());
  return {
    name: 'restic',
    async init(location) {
      await restic(['init', '-r', repository(location)]);
    },
    // restic's defaults: compression auto (zstd), AES-256-CTR + Poly1305; parent found by host and path.
    backup: (location, source) => restic(['backup', '-r', repository(location), '--host', 'bench', source]),
    restoreLatest: (location, target) => restic(['restore', '-r', repository(location), 'latest', '--target', target]),
  };
}

/**
 * kopia with its defaults (4 MiB buzhash chunks, BLAKE2B-256-128, AES256-GCM-HMAC-SHA256, 20 MiB packs)
 * except compression: zstd, like restic's `auto` and the data mover. Its config, cache and logs sit in a
 * directory per repository; the cache is part of what kopia is (it cannot run without one).
 */
export function kopiaTool(binary: string, s3: S3Settings | undefined, scratch: string): Tool {
  const env = (): NodeJS.ProcessEnv => ({
    ...process.env,
    KOPIA_PASSWORD: SECRET,
    KOPIA_CHECK_FOR_UPDATES: 'false',
    ...(s3 ? { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey } : {}),
  });
  let state = '';
  const kopia = (args: string[]) =>
    measure(binary, [`--config-file=${join(state, 'config')}`, `--log-dir=${join(state, 'logs')}`, '--no-progress', ...args], env());
  let latest = '';
  return {
    name: 'kopia',
    async init(location) {
      state = join(scratch, `kopia-state-${location.path.replaceAll('/', '_')}`);
      await rm(state, { recursive: true, force: true });
      await mkdir(state, { recursive: true });
      const cache = `--cache-directory=${join(state, 'cache')}`;
      if (location.kind === 'fs') {
        await mkdir(location.path, { recursive: true });
        await kopia(['repository', 'create', 'filesystem', `--path=${location.path}`, cache]);
      } else {
        const endpoint = new URL(s3!.endpoint);
        await kopia([
          'repository', 'create', 's3', `--bucket=${s3!.bucket}`, `--prefix=${location.path}/`, `--endpoint=${endpoint.host}`,
          ...(endpoint.protocol === 'http:' ? ['--disable-tls'] : []),
          cache,
        ]);
      }
      await kopia(['policy', 'set', '--global', '--compression=zstd']);
    },
    async backup(_location, source) {
      const result = await kopia(['snapshot', 'create', source, '--json']);
      latest = (JSON.parse(result.stdout) as { id: string }).id;
      return result;
    },
    restoreLatest: (_location, target) => kopia(['snapshot', 'restore', latest, target]),
  };
}
