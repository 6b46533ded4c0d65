import { randomBytes } from 'node:crypto';
import type { IndexObject } from '../../proto/repository/index.js';
import { cpuSeconds, peakRssMb } from '../../lib/datamover/cli/process-stats.js';
import { collectGarbage } from '../../lib/datamover/maintenance/gc.js';
import { MAX_INDEX_OBJECT_CHUNKS, writeIndexObjects } from '../../lib/datamover/repository/index-store.js';
import { Repository } from '../../lib/datamover/repository/repository.js';
import { LocalBackend } from '../../lib/datamover/storage/local-backend.js';

/**
 * `run-one.ts setup <dir> <chunks>` writes a repository whose index names that many chunks;
 * `run-one.ts gc <dir> <chunks>` collects it, in a process of its own so that its peak RSS is GC's alone.
 */
export interface GcResult {
  chunks: number;
  gcSeconds: number;
  cpuSeconds: number;
  peakRssMb: number;
}

/** Chunks per pack: 16 MiB packs of 64 KiB chunks. */
const CHUNKS_PER_PACK = 256;

const [mode, dir, count] = process.argv.slice(2);
const chunks = Number(count);
const SECRET = 'bench-secret';
if (mode === 'setup') {
  const repository = await Repository.init(new LocalBackend(dir!), SECRET);
  // Index objects written one at a time, as backups write them: never the whole index in memory here.
  let sequence = 0;
  for (let written = 0; written < chunks; ) {
    const packs: IndexObject['packs'] = [];
    for (let inObject = 0; inObject < MAX_INDEX_OBJECT_CHUNKS && written < chunks; inObject += CHUNKS_PER_PACK) {
      const count = Math.min(CHUNKS_PER_PACK, chunks - written);
      const key = `packs/bench/${String(packs.length + sequence * 1000).padStart(8, '0')}`;
      packs.push({ key, size: count * 40_000, chunks: Array.from({ length: count }, (_, i) => [randomBytes(32).toString('hex'), i * 40_000, 40_000, 65_536, 1] as [string, number, number, number, number]) });
      written += count;
    }
    await writeIndexObjects(repository, 'bench', sequence++, packs, new Date());
  }
} else {
  const repository = await Repository.open(new LocalBackend(dir!), SECRET);
  const started = performance.now();
  // No snapshot names a chunk and no pack object exists: GC reads the whole index, marks, and consolidates it.
  await collectGarbage(repository, { graceMs: 0 });
  const result: GcResult = { chunks, gcSeconds: (performance.now() - started) / 1000, cpuSeconds: cpuSeconds(), peakRssMb: peakRssMb() };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
