import { availableParallelism } from 'node:os';
import { open } from 'node:fs/promises';
import type { ManifestEntry } from '../../../proto/repository/index.js';
import { planResources } from '../controls/resource-plan.js';
import { openManifest } from '../manifest/manifest-reader.js';
import { loadIndex } from '../repository/index-store.js';
import type { Repository } from '../repository/repository.js';
import { ChunkReader, MAX_RUN_BYTES } from './chunk-reader.js';
import { writeContent, type ContentIo } from './file-writer.js';
import { createRestoreWriters } from './restore-writers.js';
import { RunSlots } from './run-slots.js';
import { TreeRestore } from './tree-restore.js';
import type { RestoreOptions, RestoreResult } from './restore-options.js';

/** A run of chunks is at most MAX_RUN_BYTES; a single chunk of the default chunker (4 MiB at most) plus its envelope fits too. */
const RUN_SLOT_BYTES = MAX_RUN_BYTES + 64 * 1024;

/** Restores one snapshot, a tree or a block volume; see lib/datamover/README.md for the flow. */
export async function runRestore(repository: Repository, options: RestoreOptions): Promise<RestoreResult> {
  const snapshot = await repository.readSnapshot(options.snapshotId);
  const { index } = await loadIndex(repository);
  const reader = new ChunkReader(repository, index);
  const manifest = await openManifest(snapshot.manifest, (id) => reader.read(id));
  const result: RestoreResult = { entries: 0, files: 0, bytes: 0, skipped: 0, bytesFetched: 0 };
  options.observe?.(() => ({ bytesDone: result.bytes, filesDone: result.files, bytesExpected: snapshot.stats.bytes, filesExpected: snapshot.stats.files }));
  const plan = planResources(options.memoryLimitBytes, options.concurrentFiles);
  const slots = new RunSlots(Math.max(4, Math.floor(plan.restoreBytesInFlight / RUN_SLOT_BYTES)), RUN_SLOT_BYTES);
  const io: ContentIo = { reader, slots, writers: createRestoreWriters(repository.keys, slots, options.writerThreads ?? availableParallelism()) };
  try {
    if (manifest.header.volumeMode === 'block') {
      for await (const entry of manifest.entries) await restoreBlockVolume(options.target, entry, io, result);
    } else {
      await new TreeRestore(options, io, plan.restoreConcurrentFiles * 2, result).run(manifest.entries);
    }
  } finally {
    await io.writers.close();
  }
  result.bytesFetched = reader.bytesFetched;
  return result;
}

/** Block mode: the one entry is written over the target in place; holes are zeroed, since the target is not empty. */
async function restoreBlockVolume(target: string, entry: ManifestEntry, io: ContentIo, result: RestoreResult): Promise<void> {
  const handle = await open(target, 'r+').catch(async (error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return open(target, 'w+');
    throw error;
  });
  try {
    result.bytes += await writeContent(handle, entry, io, { zeroHoles: true });
    await handle.sync();
  } finally {
    await handle.close();
  }
  result.entries++;
  result.files++;
}
