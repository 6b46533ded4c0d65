import { mapConcurrent } from '../../common/map-concurrent.js';
import { MissingChunkError } from '../errors.js';
import { loadIndex, readIndexObject } from '../repository/index-store.js';
import { HEADER_KEY, snapshotKey } from '../repository/layout.js';
import type { Repository } from '../repository/repository.js';
import { ChunkReader } from '../restore/chunk-reader.js';
import { forEachReferencedChunk } from './live-chunks.js';

const LOCK_CONCURRENCY = 16;

export interface LockReport {
  /** Objects the snapshots need: the header, the snapshot objects, the packs of their chunks, the index objects naming those packs. */
  objects: number;
  /** Of those, the ones whose retention had to be set or extended (the rest already held `until` or later). */
  extended: number;
}

/**
 * Makes everything the snapshots need to restore retained until at least `until`. Deduplication makes a
 * new snapshot reuse packs, index objects and the header written earlier, under no lock or a shorter one;
 * a SafeLock that locked only what its own backup wrote would let whoever holds the bucket's keys delete
 * the rest and leave the snapshot unrestorable. Idempotent: an object already held long enough is left.
 */
export async function lockSnapshots(repository: Repository, snapshotIds: string[], until: Date, onProgress: (done: number, total: number) => void = () => undefined): Promise<LockReport> {
  const { index, indexKeys } = await loadIndex(repository);
  const reader = new ChunkReader(repository, index);
  const packs = new Set<string>();
  for (const snapshotId of snapshotIds) {
    const snapshot = await repository.readSnapshot(snapshotId);
    await forEachReferencedChunk(snapshot, reader, (idHex, path) => {
      const location = index.lookup(Buffer.from(idHex, 'hex'));
      // Locking around a hole would promise a restore that cannot happen.
      if (!location) throw new MissingChunkError(idHex, path);
      packs.add(location.packKey);
    });
  }
  // Every index object naming a needed pack: a restore reads whichever the index load finds.
  const namingIndexes: string[] = [];
  await mapConcurrent(indexKeys, LOCK_CONCURRENCY, async (key) => {
    if ((await readIndexObject(repository, key)).packs.some((pack) => packs.has(pack.key))) namingIndexes.push(key);
  });
  const keys = [HEADER_KEY, ...snapshotIds.map(snapshotKey), ...packs, ...namingIndexes];
  let extended = 0;
  let done = 0;
  await mapConcurrent(keys, LOCK_CONCURRENCY, async (key) => {
    if (await repository.backend.extendRetention(key, until)) extended++;
    onProgress(++done, keys.length);
  });
  return { objects: keys.length, extended };
}
