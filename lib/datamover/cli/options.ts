import { parseArgs } from 'node:util';
import { DEFAULT_MEMORY_LIMIT_BYTES, MIN_MEMORY_LIMIT_BYTES } from '../controls/resource-plan.js';
import { InvalidArgumentError } from '../errors.js';
import type { TargetSettings } from './target.js';

const COMMANDS = ['init', 'backup', 'restore', 'verify', 'repair', 'gc', 'snapshots', 'forget'] as const;
type Command = (typeof COMMANDS)[number];

/** What the usage error shows: enough to call each command right without the README. */
const USAGE: Record<Command, string> = {
  init: 'init [--kdf-cost N] [--chunk-avg-kib N (16–4096, a power of two)]',
  backup: 'backup --source DIR --volume NS/PVC [--block] [--parent auto|none|ID] [--tag K=V]… [--checkpoint-file F]',
  restore: 'restore --snapshot ID --target DIR [--path P]…',
  verify: 'verify [--read-data | --sample SHARE] (structural unless told to read data: indexes, snapshots, manifests, references, pack sizes)',
  repair: 'repair (moves index and snapshot objects that do not open to quarantine/, indexes packs no index names from their trailers)',
  gc: 'gc [--grace-hours 6]',
  snapshots: 'snapshots',
  forget: 'forget --snapshot ID',
};

const MB = 1024 * 1024;

/** Every flag; each may also come from the environment variable named in `env`. */
const FLAGS = {
  repository: { type: 'string', env: 'HAVEN_REPOSITORY' },
  'secret-env': { type: 'string', env: undefined },
  's3-endpoint': { type: 'string', env: 'S3_ENDPOINT' },
  's3-region': { type: 'string', env: 'S3_REGION' },
  's3-path-style': { type: 'boolean', env: 'S3_PATH_STYLE' },
  'retention-days': { type: 'string', env: 'HAVEN_RETENTION_DAYS' },
  'kdf-cost': { type: 'string', env: undefined },
  'chunk-avg-kib': { type: 'string', env: undefined },
  source: { type: 'string', env: undefined },
  volume: { type: 'string', env: undefined },
  block: { type: 'boolean', env: undefined },
  parent: { type: 'string', env: undefined },
  tag: { type: 'string', multiple: true, env: undefined },
  'concurrent-files': { type: 'string', env: 'HAVEN_CONCURRENT_FILES' },
  'max-mb-per-second': { type: 'string', env: 'HAVEN_MAX_MB_PER_SECOND' },
  'memory-limit-mb': { type: 'string', env: 'HAVEN_MEMORY_LIMIT_MB' },
  'checkpoint-file': { type: 'string', env: undefined },
  'seal-workers': { type: 'string', env: 'HAVEN_SEAL_WORKERS' },
  'writer-threads': { type: 'string', env: 'HAVEN_WRITER_THREADS' },
  'checkpoint-every-mb': { type: 'string', env: undefined },
  'checkpoint-every-seconds': { type: 'string', env: undefined },
  snapshot: { type: 'string', env: undefined },
  target: { type: 'string', env: undefined },
  path: { type: 'string', multiple: true, env: undefined },
  sample: { type: 'string', env: undefined },
  'read-data': { type: 'boolean', env: undefined },
  'grace-hours': { type: 'string', env: undefined },
} as const;

export interface CliOptions {
  command: Command;
  target: TargetSettings;
  secret: string;
  values: Record<string, string | boolean | string[] | undefined>;
  memoryLimitBytes: number;
}

/** The command's flags; an unknown or malformed one is the caller's mistake (INVALID_ARGUMENT), never INTERNAL. */
function parseFlags(args: string[]): Record<string, string | boolean | string[] | undefined> {
  try {
    return parseArgs({
      args,
      options: Object.fromEntries(Object.entries(FLAGS).map(([name, flag]) => [name, { type: flag.type, multiple: 'multiple' in flag ? flag.multiple : false }])),
      strict: true,
    }).values as Record<string, string | boolean | string[] | undefined>;
  } catch (error) {
    // node:util marks its own parse errors with ERR_PARSE_ARGS_* codes.
    if (error instanceof TypeError && String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS_')) throw new InvalidArgumentError(error.message);
    throw error;
  }
}

export function parseCli(argv: string[], env: NodeJS.ProcessEnv): CliOptions {
  const [command, ...rest] = argv;
  if (!COMMANDS.includes(command as Command)) {
    const commands = COMMANDS.map((name) => USAGE[name]).join(' · ');
    throw new InvalidArgumentError(`usage: cli.ts <command> --repository DIR|s3://BUCKET/PREFIX [--flags], the command one of: ${commands}; got ${command ?? 'nothing'}`);
  }
  const parsed = parseFlags(rest);
  checkVerifyFlags(parsed);
  for (const [name, flag] of Object.entries(FLAGS)) {
    if (parsed[name] === undefined && flag.env && env[flag.env] !== undefined) {
      parsed[name] = flag.type === 'boolean' ? env[flag.env] === 'true' : env[flag.env];
    }
  }
  const repository = parsed.repository as string | undefined;
  if (!repository) throw new InvalidArgumentError('--repository (or HAVEN_REPOSITORY) is required');
  // The secret never comes from argv: command lines are visible to every process on the node.
  const secretVariable = (parsed['secret-env'] as string | undefined) ?? 'HAVEN_REPOSITORY_SECRET';
  const secret = env[secretVariable];
  if (!secret) throw new InvalidArgumentError(`the storage secret must be in the environment variable ${secretVariable}`);
  const memoryLimitBytes = parsed['memory-limit-mb'] ? Number(parsed['memory-limit-mb']) * MB : DEFAULT_MEMORY_LIMIT_BYTES;
  if (!(memoryLimitBytes >= MIN_MEMORY_LIMIT_BYTES)) throw new InvalidArgumentError(`--memory-limit-mb must be at least ${MIN_MEMORY_LIMIT_BYTES / MB}`);
  return {
    command: command as Command,
    secret,
    memoryLimitBytes,
    values: parsed,
    target: {
      repository,
      s3Endpoint: parsed['s3-endpoint'] as string | undefined,
      s3Region: (parsed['s3-region'] as string | undefined) ?? 'us-east-1',
      s3PathStyle: parsed['s3-path-style'] === true,
      s3AccessKeyId: env.S3_ACCESS_KEY_ID ?? env.AWS_ACCESS_KEY_ID,
      s3SecretAccessKey: env.S3_SECRET_ACCESS_KEY ?? env.AWS_SECRET_ACCESS_KEY,
      retentionDays: optionalNumber(parsed, 'retention-days'),
    },
  };
}

/** Checked with the flags, so a mistake here is a bad argument (exit code 2) before anything is read. */
function checkVerifyFlags(parsed: Record<string, unknown>): void {
  if (parsed.sample === undefined) return;
  const sample = Number(parsed.sample);
  if (!(sample > 0 && sample <= 1)) throw new InvalidArgumentError(`--sample must be a share of packs in (0, 1], got ${String(parsed.sample)}`);
  if (parsed['read-data']) throw new InvalidArgumentError('--read-data reads every pack: give it or --sample, not both');
}

export function optionalNumber(values: Record<string, unknown>, name: string): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new InvalidArgumentError(`--${name} must be a non-negative number, got ${String(raw)}`);
  return value;
}

export function requiredString(values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new InvalidArgumentError(`--${name} is required`);
  return value;
}
