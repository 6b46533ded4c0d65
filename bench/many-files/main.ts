import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { v8HeapFlags } from '../../lib/datamover/cli/heap-limit.js';
import { DEFAULT_MEMORY_LIMIT_BYTES } from '../../lib/datamover/controls/resource-plan.js';
import type { ManyFilesResult } from './run-one.js';
import { flag } from '../flags.js';

/**
 * Backs up trees of 1 and 10 million empty files (metadata only, a synthetic walk: synthetic-tree.ts),
 * each size in a process of its own with the mover's default memory limit and heap flags, then an
 * unchanged re-run against that first snapshot; prints time, CPU, peak RSS and the largest checkpoint
 * a heartbeat would carry.
 *
 *   npm run bench -- many-files [--files 1000000,10000000] [--json]
 *
 * Targets (issue 19): peak RSS ≤ 512 MiB at the defaults, ≤ +20% when the tree grows 10×, and a checkpoint
 * far under Temporal's 2 MB payload limit at any size.
 */
const RSS_TARGET_MB = 512;
const GROWTH_TARGET = 1.2;

export async function main(args: string[]): Promise<void> {
  const sizes = (flag(args, 'files') ?? '1000000,10000000').split(',').map(Number);
  const runOne = fileURLToPath(new URL('./run-one.ts', import.meta.url));
  const limitMiB = DEFAULT_MEMORY_LIMIT_BYTES / (1024 * 1024);
  const results: ManyFilesResult[] = [];
  for (const files of sizes) {
    console.error(`[bench] many-files: ${files.toLocaleString('en')} files…`);
    const { stdout } = await promisify(execFile)(process.execPath, [...process.execArgv, ...v8HeapFlags(DEFAULT_MEMORY_LIMIT_BYTES), runOne, String(files), String(limitMiB)], {
      maxBuffer: 1024 * 1024,
    });
    results.push(JSON.parse(stdout.trim().split('\n').pop()!) as ManyFilesResult);
  }
  if (args.includes('--json')) {
    console.log(JSON.stringify({ manyFiles: results }, null, 2));
    return;
  }
  console.log(`\nmany-files (metadata only, default memory limit ${limitMiB} MiB)`);
  console.log('| files | first backup s | unchanged re-run s | CPU s | peak RSS MiB | checkpoints | largest checkpoint bytes | manifest chunks |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    console.log(
      `| ${r.files.toLocaleString('en')} | ${r.firstSeconds.toFixed(1)} | ${r.rerunSeconds.toFixed(1)} | ${r.cpuSeconds.toFixed(1)} | ${r.peakRssMb} | ${r.checkpoints} | ${r.largestCheckpointBytes} | ${r.manifestChunks} |`,
    );
  }
  const peak = Math.max(...results.map((r) => r.peakRssMb));
  console.log(`peak RSS ${peak} MiB: ${peak <= RSS_TARGET_MB ? 'met' : `missed by ${peak - RSS_TARGET_MB} MiB`} (target ≤ ${RSS_TARGET_MB} MiB)`);
  const [smallest, largest] = [results[0], results[results.length - 1]];
  if (smallest && largest && largest.files >= smallest.files * 10) {
    const growth = largest.peakRssMb / smallest.peakRssMb;
    console.log(`RSS growth ×${growth.toFixed(2)} over ×${largest.files / smallest.files} files: ${growth <= GROWTH_TARGET ? 'met' : `missed by ${Math.round((growth - GROWTH_TARGET) * 100)} points`} (target ≤ ×${GROWTH_TARGET})`);
  }
}
