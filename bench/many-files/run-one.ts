import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBackup } from '../../lib/datamover/backup/backup.js';
import { cpuSeconds, peakRssMb } from '../../lib/datamover/cli/process-stats.js';
import { Repository } from '../../lib/datamover/repository/repository.js';
import { LocalBackend } from '../../lib/datamover/storage/local-backend.js';
import { syntheticTree } from './synthetic-tree.js';

/** One size, in a process of its own so that its peak RSS is its own: `run-one.ts <files> <memory limit MiB>`. */
export interface ManyFilesResult {
  files: number;
  firstSeconds: number;
  rerunSeconds: number;
  cpuSeconds: number;
  peakRssMb: number;
  checkpoints: number;
  largestCheckpointBytes: number;
  manifestChunks: number;
}

const files = Number(process.argv[2]);
const memoryLimitMiB = Number(process.argv[3]);
const workdir = await mkdtemp(join(tmpdir(), 'haven-many-files-'));
try {
  const repository = await Repository.init(new LocalBackend(join(workdir, 'repository')), 'bench-secret');
  let checkpoints = 0;
  let largestCheckpointBytes = 0;
  const backUp = async () => {
    const started = performance.now();
    const { snapshot } = await runBackup(repository, {
      source: join(workdir, 'tree'),
      volume: 'bench/many-files',
      walk: syntheticTree(join(workdir, 'tree'), files),
      xattrs: false,
      memoryLimitBytes: memoryLimitMiB * 1024 * 1024,
      // The product's cadence is 30 s; every 2 s shows the checkpoint's size at many points of the tree.
      checkpointEveryMs: 2000,
      onCheckpoint: (checkpoint) => {
        checkpoints++;
        largestCheckpointBytes = Math.max(largestCheckpointBytes, Buffer.byteLength(JSON.stringify(checkpoint)));
      },
    });
    return { seconds: (performance.now() - started) / 1000, snapshot };
  };
  const first = await backUp();
  const rerun = await backUp();
  if (first.snapshot.stats.files !== files || rerun.snapshot.stats.files !== files) {
    throw new Error(`the snapshots count ${first.snapshot.stats.files} and ${rerun.snapshot.stats.files} files, not ${files}`);
  }
  const result: ManyFilesResult = {
    files,
    firstSeconds: first.seconds,
    rerunSeconds: rerun.seconds,
    cpuSeconds: cpuSeconds(),
    peakRssMb: peakRssMb(),
    checkpoints,
    largestCheckpointBytes,
    manifestChunks: first.snapshot.manifest.length,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await rm(workdir, { recursive: true, force: true });
}
