import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, rm, stat } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildCli } from './build-cli.js';
import { applyScatteredChanges, DEFAULT_SHAPE, generateDataset, type DatasetShape } from './dataset.js';
import { storageUsage } from './storage-usage.js';
import { installKopia } from './install-kopia.js';
import { havenTool, kopiaTool, resticTool, type Location, type Measured, type S3Settings, type Tool } from './tools.js';

/**
 * Side-by-side benchmark of the data mover against restic and kopia on one generated dataset (about 2 GiB
 * by default: see dataset.ts): first backup, incremental after ~1 % scattered changes, unchanged re-run,
 * full restore; on the local filesystem and, when S3_ENDPOINT is set, on the same S3 server.
 *
 *   npm run bench -- [--json] [--scale 0.25] [--repeat 3] [--workdir /tmp/haven-bench]
 *                    [--tools haven,restic,kopia] [--targets fs,s3] [--from-source]
 *
 * The machine is shared, so every workload runs the tools one after another (their order rotating between
 * repetitions) and each cell reports the best of `--repeat` runs: seconds and CPU seconds are minima, peak
 * RSS is the maximum. The 1-minute load average at each cell's fastest run is in the table.
 *
 * Haven runs as bundled JavaScript (built once, before anything is measured, like the image would ship
 * it); `--from-source` runs the TypeScript through tsx instead. kopia is built once from its pinned
 * version (install-kopia.ts).
 */
interface Row {
  workload: string;
  target: string;
  tool: string;
  seconds: number;
  mb_per_s: number;
  files_per_s: number;
  cpu_s: number;
  peak_rss_mb: number;
  stored_bytes: number;
  objects: number;
}

type Workload = '1-first-backup' | '2-incremental-1pct' | '3-unchanged-rerun' | '4-full-restore';

function flag(args: string[], name: string): string | undefined {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : undefined;
}

function scaled(shape: DatasetShape, scale: number): DatasetShape {
  return {
    dbFiles: shape.dbFiles,
    dbFileMiB: Math.max(8, Math.round(shape.dbFileMiB * scale)),
    randomFiles: Math.max(1, Math.round(shape.randomFiles * scale)),
    randomFileMiB: shape.randomFileMiB,
    smallFiles: Math.max(100, Math.round(shape.smallFiles * scale)),
  };
}

function s3FromEnvironment(): S3Settings | undefined {
  const { S3_ENDPOINT, S3_BUCKET, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY } = process.env;
  if (!S3_ENDPOINT || !S3_BUCKET || !S3_ACCESS_KEY_ID || !S3_SECRET_ACCESS_KEY) return undefined;
  return { endpoint: S3_ENDPOINT, bucket: S3_BUCKET, accessKeyId: S3_ACCESS_KEY_ID, secretAccessKey: S3_SECRET_ACCESS_KEY };
}

export async function main(args: string[]): Promise<void> {
  const json = args.includes('--json');
  const scale = Number(flag(args, 'scale') ?? '1');
  const repeat = Math.max(1, Number(flag(args, 'repeat') ?? '3'));
  const workdir = flag(args, 'workdir') ?? '/tmp/haven-bench';
  const s3 = s3FromEnvironment();
  const targets = (flag(args, 'targets') ?? (s3 ? 'fs,s3' : 'fs')).split(',').filter((target) => target === 'fs' || (target === 's3' && s3));
  const toolNames = (flag(args, 'tools') ?? 'haven,restic,kopia').split(',');
  const log = (message: string) => console.error(`[bench] ${message}`);
  const cli = toolNames.includes('haven') && !args.includes('--from-source') ? await buildCli() : undefined;
  const kopia = toolNames.includes('kopia') ? await installKopia(log) : undefined;
  const tools = [havenTool(s3, cli), resticTool(s3), ...(kopia ? [kopiaTool(kopia, s3, workdir)] : [])].filter((tool) => toolNames.includes(tool.name));
  const shape = scaled(DEFAULT_SHAPE, scale);

  await mkdir(workdir, { recursive: true });
  const best = new Map<string, Row & { load_1m: number }>();
  for (const target of targets) {
    for (let round = 0; round < repeat; round++) {
      // Rotating the order spreads whatever else the machine is doing over all tools.
      const order = tools.map((_, i) => tools[(i + round) % tools.length]!);
      const source = join(workdir, 'source');
      log(`${target} round ${round + 1}/${repeat}: generating dataset (${JSON.stringify(shape)})`);
      deleted.note();
      const dataset = await generateDataset(source, shape);
      log(`dataset: ${dataset.files} files, ${(dataset.bytes / 1e6).toFixed(0)} MB`);
      const locations = new Map<Tool, Location>();
      for (const tool of order) {
        const location: Location = target === 's3' ? { kind: 's3', path: `bench/${tool.name}-${randomUUID()}` } : { kind: 'fs', path: join(workdir, `repo-${tool.name}`) };
        if (location.kind === 'fs') await rm(location.path, { recursive: true, force: true });
        await tool.init(location);
        locations.set(tool, location);
      }
      const record = async (workload: Workload, tool: Tool, run: () => Promise<Measured>) => {
        const load = loadavg()[0]!;
        log(`${target} ${workload} ${tool.name} (load ${load.toFixed(2)})…`);
        const measured = await run();
        const usage = await storageUsage(locations.get(tool)!, s3);
        const row = {
          workload,
          target,
          tool: tool.name,
          seconds: round2(measured.seconds),
          mb_per_s: round2(dataset.bytes / 1e6 / measured.seconds),
          files_per_s: Math.round(dataset.files / measured.seconds),
          cpu_s: round2(measured.cpuSeconds),
          peak_rss_mb: measured.peakRssMb,
          stored_bytes: usage.bytes,
          objects: usage.objects,
          load_1m: round2(load),
        };
        log(`  ${JSON.stringify(row)}`);
        const key = `${target} ${workload} ${tool.name}`;
        const previous = best.get(key);
        if (!previous || row.seconds < previous.seconds) best.set(key, { ...row, cpu_s: Math.min(row.cpu_s, previous?.cpu_s ?? Infinity), peak_rss_mb: Math.max(row.peak_rss_mb, previous?.peak_rss_mb ?? 0) });
        else Object.assign(previous, { cpu_s: Math.min(row.cpu_s, previous.cpu_s), peak_rss_mb: Math.max(row.peak_rss_mb, previous.peak_rss_mb) });
      };
      for (const tool of order) await record('1-first-backup', tool, () => tool.backup(locations.get(tool)!, source));
      await applyScatteredChanges(source, shape);
      for (const tool of order) await record('2-incremental-1pct', tool, () => tool.backup(locations.get(tool)!, source));
      for (const tool of order) await record('3-unchanged-rerun', tool, () => tool.backup(locations.get(tool)!, source));
      // Restored trees are deleted only once every tool has restored: ext4 spends minutes after a mass delete
      // skipping the freed inodes when it allocates new ones, which would slow whichever tool came next.
      const restoreTargets = order.map((tool) => join(workdir, `restore-${tool.name}`));
      for (const target of restoreTargets) {
        if (!(await stat(target).catch(() => undefined))) continue;
        await rm(target, { recursive: true, force: true });
        deleted.note();
      }
      await deleted.settle(log);
      for (const [i, tool] of order.entries()) await record('4-full-restore', tool, () => tool.restoreLatest(locations.get(tool)!, restoreTargets[i]!));
      for (const target of restoreTargets) await rm(target, { recursive: true, force: true });
      deleted.note();
    }
  }
  const rows = [...best.values()];
  if (json) for (const { load_1m: _load, ...row } of rows) console.log(JSON.stringify(row satisfies Row));
  else printTable(rows);
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

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

function printTable(rows: (Row & { load_1m: number })[]): void {
  const columns = ['workload', 'target', 'tool', 'seconds', 'mb_per_s', 'files_per_s', 'cpu_s', 'peak_rss_mb', 'stored_bytes', 'objects', 'load_1m'] as const;
  const widths = columns.map((column) => Math.max(column.length, ...rows.map((row) => String(row[column]).length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line([...columns]));
  console.log(line(widths.map((width) => '-'.repeat(width))));
  for (const row of rows) console.log(line(columns.map((column) => String(row[column]))));
}
