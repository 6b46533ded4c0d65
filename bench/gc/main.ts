import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { GcResult } from './run-one.js';
import { flag } from '../flags.js';

/**
 * Garbage collection over a repository whose index names 1 and 4 million chunks (synthetic index objects,
 * no pack data), each size in a process of its own: time, CPU and peak RSS. GC runs on the control worker
 * that every tenant's maintenance shares, and holds the whole index while it decides, so its memory per
 * chunk decides the largest repository it can collect.
 *
 *   npm run bench -- gc [--chunks 1000000,4000000] [--json]
 */
export async function main(args: string[]): Promise<void> {
  const sizes = (flag(args, 'chunks') ?? '1000000,4000000').split(',').map(Number);
  const runOne = fileURLToPath(new URL('./run-one.ts', import.meta.url));
  const results: GcResult[] = [];
  for (const chunks of sizes) {
    console.error(`[bench] gc: an index of ${chunks.toLocaleString('en')} chunks…`);
    const workdir = await mkdtemp(join(tmpdir(), 'haven-gc-bench-'));
    try {
      const run = (mode: string) => promisify(execFile)(process.execPath, [...process.execArgv, runOne, mode, join(workdir, 'repository'), String(chunks)], { maxBuffer: 1024 * 1024 });
      await run('setup');
      const { stdout } = await run('gc');
      results.push(JSON.parse(stdout.trim().split('\n').pop()!) as GcResult);
    } finally {
      await rm(workdir, { recursive: true, force: true });
    }
  }
  if (args.includes('--json')) {
    console.log(JSON.stringify({ gc: results }, null, 2));
    return;
  }
  console.log('\ngc (index only: every chunk read, marked and consolidated)');
  console.log('| chunks | GC s | CPU s | peak RSS MiB |');
  console.log('|---|---|---|---|');
  for (const r of results) console.log(`| ${r.chunks.toLocaleString('en')} | ${r.gcSeconds.toFixed(1)} | ${r.cpuSeconds.toFixed(1)} | ${r.peakRssMb} |`);
  const [smallest, largest] = [results[0], results[results.length - 1]];
  if (smallest && largest && largest.chunks > smallest.chunks) {
    const perChunk = ((largest.peakRssMb - smallest.peakRssMb) * 1024 * 1024) / (largest.chunks - smallest.chunks);
    console.log(`peak RSS grows ${Math.round(perChunk)} bytes per chunk of the index`);
  }
}
