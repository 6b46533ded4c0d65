import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, rm, stat } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildCli } from './build-cli.js';
import { FAMILIES } from './families/index.js';
import type { Family, Scale } from './families/family.js';
import { installKopia } from './install-kopia.js';
import { installRestic } from './install-restic.js';
import { printTable, round2, type Row, type Workload } from './report.js';
import { storageUsage } from './storage-usage.js';
import { printTargets } from './targets.js';
import { havenTool, kopiaTool, resticTool, type Location, type Measured, type S3Settings, type Tool } from './tools.js';
import { flag } from '../flags.js';

/**
 * Side-by-side benchmark of the data mover against restic and kopia on six seeded dataset families
 * (families/: database pages, VM images, logs, media, tiny files, huge files), each with its own change
 * pattern: first backup, incremental after the family's changes, unchanged re-run, full restore; on the
 * local filesystem and, when S3_ENDPOINT is set, on the same S3 server.
 *
 *   npm run bench -- datamover [--json] [--scale 0.1] [--repeat 3] [--workdir /tmp/haven-bench]
 *                    [--families database,logs] [--tiny-files 1000000] [--haven-chunk-kib 64]
 *                    [--tools haven,restic,kopia] [--targets fs,s3] [--from-source]
 *
 * The machine is shared, so every workload runs the tools one after another (their order rotating between
 * repetitions) and each cell reports the best of `--repeat` runs: seconds and CPU seconds are minima, peak
 * RSS is the maximum. The 1-minute load average at each cell's fastest run is in the table.
 *
 * Haven runs as bundled JavaScript (built once, before anything is measured, like the image would ship
 * it); `--from-source` runs the TypeScript through tsx instead. kopia and restic are built once from their
 * pinned module versions (install-kopia.ts, install-restic.ts).
 */
function s3FromEnvironment(): S3Settings | undefined {
  const { S3_ENDPOINT, S3_BUCKET, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY } = process.env;
  if (!S3_ENDPOINT || !S3_BUCKET || !S3_ACCESS_KEY_ID || !S3_SECRET_ACCESS_KEY) return undefined;
  return { endpoint: S3_ENDPOINT, bucket: S3_BUCKET, accessKeyId: S3_ACCESS_KEY_ID, secretAccessKey: S3_SECRET_ACCESS_KEY };
}

/** A family with more files than this leaves a mass delete behind its restores (see `deleted`). */
const MASS_DELETE_FILES = 10_000;

export async function main(args: string[]): Promise<void> {
  const json = args.includes('--json');
  const tinyFiles = flag(args, 'tiny-files');
  const scale: Scale = { scale: Number(flag(args, 'scale') ?? '1'), ...(tinyFiles ? { tinyFiles: Number(tinyFiles) } : {}) };
  const repeat = Math.max(1, Number(flag(args, 'repeat') ?? '3'));
  const workdir = flag(args, 'workdir') ?? '/tmp/haven-bench';
  const s3 = s3FromEnvironment();
  const targets = (flag(args, 'targets') ?? (s3 ? 'fs,s3' : 'fs')).split(',').filter((target) => target === 'fs' || (target === 's3' && s3));
  const toolNames = (flag(args, 'tools') ?? 'haven,restic,kopia').split(',');
  const familyNames = flag(args, 'families')?.split(',');
  const families = FAMILIES.filter((family) => !familyNames || familyNames.includes(family.name));
  const log = (message: string) => console.error(`[bench] ${message}`);
  const cli = toolNames.includes('haven') && !args.includes('--from-source') ? await buildCli() : undefined;
  const kopia = toolNames.includes('kopia') ? await installKopia(log) : undefined;
  const restic = toolNames.includes('restic') ? await installRestic(log) : undefined;
  const chunkKib = flag(args, 'haven-chunk-kib');
  const tools = [havenTool(s3, cli, chunkKib ? ['--chunk-avg-kib', chunkKib] : []), ...(restic ? [resticTool(restic, s3)] : []), ...(kopia ? [kopiaTool(kopia, s3, workdir)] : [])].filter((tool) =>
    toolNames.includes(tool.name),
  );

  await mkdir(workdir, { recursive: true });
  const best = new Map<string, Row>();
  for (const family of families)
    for (const target of targets) for (let round = 0; round < repeat; round++) await runRound({ family, target, round, repeat, tools, scale, workdir, s3, best, log });
  const rows = [...best.values()];
  if (json) for (const row of rows) console.log(JSON.stringify(row));
  else {
    printTable(rows);
    printTargets(rows);
  }
}

interface RoundContext {
  family: Family;
  target: string;
  round: number;
  repeat: number;
  tools: Tool[];
  scale: Scale;
  workdir: string;
  s3: S3Settings | undefined;
  best: Map<string, Row>;
  log: (message: string) => void;
}

async function runRound({ family, target, round, repeat, tools, scale, workdir, s3, best, log }: RoundContext): Promise<void> {
  // Rotating the order spreads whatever else the machine is doing over all tools.
  const order = tools.map((_, i) => tools[(i + round) % tools.length]!);
  const source = join(workdir, 'source');
  log(`${family.name} ${target} round ${round + 1}/${repeat}: generating (${family.summary})`);
  await rm(source, { recursive: true, force: true });
  const dataset = await family.generate(source, scale);
  if (dataset.files > MASS_DELETE_FILES) deleted.note();
  log(`dataset: ${dataset.files} files, ${(dataset.bytes / 1e6).toFixed(0)} MB`);
  const locations = new Map<Tool, Location>();
  for (const tool of order) {
    const location: Location = target === 's3' ? { kind: 's3', path: `bench/${tool.name}-${randomUUID()}` } : { kind: 'fs', path: join(workdir, `repo-${tool.name}`) };
    if (location.kind === 'fs') await rm(location.path, { recursive: true, force: true });
    await tool.init(location);
    locations.set(tool, location);
  }
  const storedBefore = new Map<Tool, number>();
  let changedBytes = 0;
  const record = async (workload: Workload, tool: Tool, run: () => Promise<Measured>) => {
    const load = loadavg()[0]!;
    log(`${family.name} ${target} ${workload} ${tool.name} (load ${load.toFixed(2)})…`);
    const measured = await run();
    const usage = await storageUsage(locations.get(tool)!, s3);
    const added = usage.bytes - (storedBefore.get(tool) ?? 0);
    storedBefore.set(tool, usage.bytes);
    const row: Row = {
      family: family.name,
      workload,
      target,
      tool: tool.name,
      seconds: round2(measured.seconds),
      mb_per_s: round2(dataset.bytes / 1e6 / measured.seconds),
      files_per_s: Math.round(dataset.files / measured.seconds),
      cpu_s: round2(measured.cpuSeconds),
      peak_rss_mb: measured.peakRssMb,
      stored_bytes: usage.bytes,
      added_bytes: added,
      added_per_changed: workload === '2-incremental' && changedBytes > 0 ? round2(added / changedBytes) : null,
      objects: usage.objects,
      load_1m: round2(load),
    };
    log(`  ${JSON.stringify(row)}`);
    keepBest(best, row);
  };
  for (const tool of order) await record('1-first-backup', tool, () => tool.backup(locations.get(tool)!, source));
  changedBytes = (await family.change(source, scale)).changedBytes;
  log(`changes: ${(changedBytes / 1e6).toFixed(2)} MB written`);
  for (const tool of order) await record('2-incremental', tool, () => tool.backup(locations.get(tool)!, source));
  for (const tool of order) await record('3-unchanged-rerun', tool, () => tool.backup(locations.get(tool)!, source));
  // Restored trees are deleted only once every tool has restored: ext4 spends minutes after a mass delete
  // skipping the freed inodes when it allocates new ones, which would slow whichever tool came next.
  const restoreTargets = order.map((tool) => join(workdir, `restore-${tool.name}`));
  await deleted.settle(log);
  for (const [i, tool] of order.entries()) await record('4-full-restore', tool, () => tool.restoreLatest(locations.get(tool)!, restoreTargets[i]!));
  for (const target of restoreTargets) if (await stat(target).catch(() => undefined)) await rm(target, { recursive: true, force: true });
  await rm(source, { recursive: true, force: true });
  if (dataset.files > MASS_DELETE_FILES) deleted.note();
}

/** Seconds and CPU are the best round's, RSS the worst's; stored bytes follow the fastest round. */
function keepBest(best: Map<string, Row>, row: Row): void {
  const key = `${row.family} ${row.target} ${row.workload} ${row.tool}`;
  const previous = best.get(key);
  if (!previous || row.seconds < previous.seconds) best.set(key, { ...row, cpu_s: Math.min(row.cpu_s, previous?.cpu_s ?? Infinity), peak_rss_mb: Math.max(row.peak_rss_mb, previous?.peak_rss_mb ?? 0) });
  else Object.assign(previous, { cpu_s: Math.min(row.cpu_s, previous.cpu_s), peak_rss_mb: Math.max(row.peak_rss_mb, previous.peak_rss_mb) });
}

/**
 * After a mass delete, ext4 skips the freed inodes for 60 s when it allocates new ones (up to 6 min while their
 * inode table blocks are dirty), which made a restore started then spend most of its time in the kernel: a
 * restore up to 2× slower depending on which tool came first after the delete. Restores start only once the
 * deletes are written out and a minute old.
 */
const deleted = {
  at: 0,
  note(): void {
    this.at = Date.now();
  },
  async settle(log: (message: string) => void): Promise<void> {
    await promisify(execFile)('sync');
    const wait = this.at + 65_000 - Date.now();
    if (wait <= 0) return;
    log(`waiting ${Math.ceil(wait / 1000)} s for ext4 to stop skipping just-deleted inodes…`);
    await new Promise((resolve) => setTimeout(resolve, wait));
  },
};
