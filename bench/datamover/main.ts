import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { buildCli } from './build-cli.js';
import { applyScatteredChanges, DEFAULT_SHAPE, generateDataset, type DatasetShape } from './dataset.js';
import { storageUsage } from './storage-usage.js';
import { havenTool, resticTool, type Location, type S3Settings, type Tool } from './tools.js';

/**
 * Side-by-side benchmark of the data mover against restic on one generated dataset:
 * first backup, incremental after ~1 % scattered changes, unchanged re-run, full restore; on the local
 * filesystem and, when S3_ENDPOINT is set, on the same S3 server. kopia cannot be installed here.
 *
 *   npm run bench -- [--json] [--scale 0.25] [--workdir /tmp/haven-bench] [--tools haven,restic] [--targets fs,s3] [--from-source]
 *
 * Haven runs as bundled JavaScript (built once, before anything is measured, like the image would ship
 * it); `--from-source` runs the TypeScript through tsx instead.
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
  const workdir = flag(args, 'workdir') ?? '/tmp/haven-bench';
  const s3 = s3FromEnvironment();
  const targets = (flag(args, 'targets') ?? (s3 ? 'fs,s3' : 'fs')).split(',').filter((target) => target === 'fs' || (target === 's3' && s3));
  const toolNames = (flag(args, 'tools') ?? 'haven,restic').split(',');
  const cli = toolNames.includes('haven') && !args.includes('--from-source') ? await buildCli() : undefined;
  const tools = [havenTool(s3, cli), resticTool(s3)].filter((tool) => toolNames.includes(tool.name));
  const shape = scaled(DEFAULT_SHAPE, scale);
  const log = (message: string) => console.error(`[bench] ${message}`);

  await mkdir(workdir, { recursive: true });
  const rows: Row[] = [];
  for (const target of targets) {
    const source = join(workdir, 'source');
    log(`generating dataset (${JSON.stringify(shape)})`);
    const dataset = await generateDataset(source, shape);
    log(`dataset: ${dataset.files} files, ${(dataset.bytes / 1e6).toFixed(0)} MB`);
    const locations = new Map<Tool, Location>();
    for (const tool of tools) {
      const location: Location = target === 's3' ? { kind: 's3', path: `bench/${tool.name}-${randomUUID()}` } : { kind: 'fs', path: join(workdir, `repo-${tool.name}`) };
      if (location.kind === 'fs') await rm(location.path, { recursive: true, force: true });
      await tool.init(location);
      locations.set(tool, location);
    }
    const record = async (workload: string, tool: Tool, run: () => Promise<{ seconds: number; cpuSeconds: number; peakRssMb: number }>) => {
      log(`${target} ${workload} ${tool.name}…`);
      const measured = await run();
      const usage = await storageUsage(locations.get(tool)!, s3);
      const row: Row = {
        workload,
        target,
        tool: tool.name,
        seconds: round(measured.seconds),
        mb_per_s: round(dataset.bytes / 1e6 / measured.seconds),
        files_per_s: Math.round(dataset.files / measured.seconds),
        cpu_s: round(measured.cpuSeconds),
        peak_rss_mb: measured.peakRssMb,
        stored_bytes: usage.bytes,
        objects: usage.objects,
      };
      rows.push(row);
      if (json) console.log(JSON.stringify(row));
    };
    for (const tool of tools) await record('1-first-backup', tool, () => tool.backup(locations.get(tool)!, source));
    await applyScatteredChanges(source, shape);
    for (const tool of tools) await record('2-incremental-1pct', tool, () => tool.backup(locations.get(tool)!, source));
    for (const tool of tools) await record('3-unchanged-rerun', tool, () => tool.backup(locations.get(tool)!, source));
    for (const tool of tools) {
      const restoreTarget = join(workdir, `restore-${tool.name}`);
      await rm(restoreTarget, { recursive: true, force: true });
      await record('4-full-restore', tool, () => tool.restoreLatest(locations.get(tool)!, restoreTarget));
      await rm(restoreTarget, { recursive: true, force: true });
    }
  }
  if (!json) printTable(rows);
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function printTable(rows: Row[]): void {
  const columns = ['workload', 'target', 'tool', 'seconds', 'mb_per_s', 'files_per_s', 'cpu_s', 'peak_rss_mb', 'stored_bytes', 'objects'] as const;
  const widths = columns.map((column) => Math.max(column.length, ...rows.map((row) => String(row[column]).length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line([...columns]));
  console.log(line(widths.map((width) => '-'.repeat(width))));
  for (const row of rows) console.log(line(columns.map((column) => String(row[column]))));
}
