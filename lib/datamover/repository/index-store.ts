import { indexObjectCodec, tombstoneCodec, type IndexObject } from '../../../proto/repository/index.js';
import { mapConcurrent } from '../../common/map-concurrent.js';
import { CorruptObjectError } from '../errors.js';
import { ChunkIndex } from './chunk-index.js';
import { CompactPack } from './compact-pack.js';
import { INDEX_PREFIX, indexKey, TOMBSTONES_PREFIX } from './layout.js';
import type { Repository } from './repository.js';

const INDEX_LOAD_CONCURRENCY = 8;

interface LoadedIndex {
  index: ChunkIndex;
  /** Index objects read, for GC to consolidate. */
  indexKeys: string[];
  /** Pack key → size, for every pack an index names. */
  packSizes: Map<string, number>;
}

/**
 * Chunks one index object names at most (its packs are never split): about 6 MB of JSON before zstd. A
 * mover reads index objects eight at a time, so this bounds what loading the index holds beside the
 * compact table, however large the repository; GC's consolidation writes as many objects as it needs.
 */
export const MAX_INDEX_OBJECT_CHUNKS = 65_536;

export async function writeIndexObject(repository: Repository, sessionId: string, sequence: number, packs: IndexObject['packs'], now: Date): Promise<string> {
  const key = indexKey(sessionId, sequence);
  const record: IndexObject = { version: 1, createdAt: now.toISOString(), sessionId, packs };
  await repository.putObject(key, record);
  return key;
}

/** A pack to write into an index object: its entry, or GC's compact form of it. */
type WritablePack = IndexObject['packs'][number] | CompactPack;

function chunkCount(pack: WritablePack): number {
  return pack instanceof CompactPack ? pack.chunkCount : pack.chunks.length;
}

/** Groups packs, in order, into index objects of at most `maxChunks` chunks (a larger pack goes alone). */
export function indexObjectGroups<P extends WritablePack>(packs: readonly P[], maxChunks = MAX_INDEX_OBJECT_CHUNKS): P[][] {
  const groups: P[][] = [];
  let group: P[] = [];
  let chunks = 0;
  for (const pack of packs) {
    if (group.length > 0 && chunks + chunkCount(pack) > maxChunks) {
      groups.push(group);
      group = [];
      chunks = 0;
    }
    group.push(pack);
    chunks += chunkCount(pack);
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

/** Writes `packs` as index objects of at most `maxChunks` chunks, sequences from `firstSequence`; returns their keys. */
export async function writeIndexObjects(
  repository: Repository,
  sessionId: string,
  firstSequence: number,
  packs: readonly WritablePack[],
  now: Date,
  maxChunks = MAX_INDEX_OBJECT_CHUNKS,
): Promise<string[]> {
  const keys: string[] = [];
  for (const [offset, group] of indexObjectGroups(packs, maxChunks).entries()) {
    // Compact packs become entries one object at a time: only one object's worth is ever decoded.
    const entries = group.map((pack) => (pack instanceof CompactPack ? pack.entry() : pack));
    keys.push(await writeIndexObject(repository, sessionId, firstSequence + offset, entries, now));
  }
  return keys;
}

/**
 * Every index object is loaded before a backup can deduplicate, so a corrupt one stops all backups: the
 * error says how to get going again.
 */
const CORRUPT_INDEX_REMEDY = "run the data mover's `repair` command: it moves the object to quarantine/ and indexes the packs it named again from their trailers";

export async function readIndexObject(repository: Repository, key: string): Promise<IndexObject> {
  try {
    return await repository.getObject(key, (text) => indexObjectCodec.decodeJson(text));
  } catch (error) {
    if (error instanceof CorruptObjectError && error.remedy === undefined) throw new CorruptObjectError(error.objectKey, error.reason, CORRUPT_INDEX_REMEDY);
    throw error;
  }
}

/**
 * Loads every index object into one compact in-memory index. Packs condemned by GC are left out, so a
 * backup never deduplicates against a chunk that may be deleted under it: it uploads the chunk again.
 * `excludedPacks` may be a promise, so that listing tombstones and reading the index overlap.
 */
export async function loadIndex(
  repository: Repository,
  excludedPacks: ReadonlySet<string> | Promise<ReadonlySet<string>> = new Set(),
): Promise<LoadedIndex> {
  const indexKeys: string[] = [];
  for await (const object of repository.backend.list(INDEX_PREFIX)) indexKeys.push(object.key);
  indexKeys.sort();
  const index = new ChunkIndex();
  const packSizes = new Map<string, number>();
  await mapConcurrent(indexKeys, INDEX_LOAD_CONCURRENCY, async (key) => {
    const record = await readIndexObject(repository, key);
    // The exclusions may still be loading (tombstones are listed beside the index); they gate only this step.
    const excluded = await excludedPacks;
    for (const pack of record.packs) {
      if (excluded.has(pack.key)) continue;
      packSizes.set(pack.key, pack.size);
      for (const [idHex, offset, storedLength, rawLength, flags] of pack.chunks) {
        index.add(Buffer.from(idHex, 'hex'), { packKey: pack.key, offset, storedLength, rawLength, flags });
      }
    }
  });
  await excludedPacks;
  return { index, indexKeys, packSizes };
}

/** Every pack named by any tombstone. */
export async function loadTombstonedPacks(repository: Repository): Promise<Set<string>> {
  const packs = new Set<string>();
  for await (const object of repository.backend.list(TOMBSTONES_PREFIX)) {
    const tombstone = await repository.getObject(object.key, (text) => tombstoneCodec.decodeJson(text));
    for (const pack of tombstone.packs) packs.add(pack);
  }
  return packs;
}

export async function nextIndexSequence(repository: Repository, sessionId: string): Promise<number> {
  let next = 0;
  for await (const object of repository.backend.list(`${INDEX_PREFIX}${sessionId}-`)) {
    next = Math.max(next, Number.parseInt(object.key.slice(object.key.lastIndexOf('-') + 1), 10) + 1);
  }
  return next;
}
