import type { RepositoryHeader } from '../../../proto/repository/index.js';
import { HEADER_KEY, INDEX_PREFIX, LOCKS_PREFIX, PACKS_PREFIX, QUARANTINE_PREFIX, SNAPSHOTS_PREFIX, TOMBSTONES_PREFIX } from './layout.js';

/**
 * The largest whole object of each kind the repository format produces: a whole-object read refuses an
 * announced length past its kind's bound before anything is allocated for it. The storage endpoint is the
 * tenant's, and the control plane reads every tenant's repository from one shared process, so a header
 * announced at hundreds of MiB must cost a refusal, never that much memory.
 */

/** The header is a fixed set of fields and three wrapped keys, about 1.5 KiB as written (pretty JSON). */
export const MAX_HEADER_BYTES = 64 * 1024;

/** A session lock is a handful of short fields in plain JSON, a few hundred bytes. */
export const MAX_SESSION_LOCK_BYTES = 64 * 1024;

/**
 * A snapshot's size is its manifest's chunk ids, 67 bytes each (hex and punctuation, before zstd): one
 * per ~64 KiB of manifest, about 100 bytes of manifest per file. 64 MiB is a million manifest chunks,
 * a volume of several hundred million files.
 */
export const MAX_SNAPSHOT_BYTES = 64 * 1024 * 1024;

/**
 * A tombstone lists the pack keys one GC run condemned, some 30 bytes each: 64 MiB is two million packs,
 * tens of TiB condemned at once at the 16 MiB pack size.
 */
export const MAX_TOMBSTONE_BYTES = 64 * 1024 * 1024;

/**
 * The largest index object is the one GC consolidates every index into: some 60 bytes per chunk once
 * compressed and sealed. 512 MiB is about 8 million chunks, several TiB of unique data at the default
 * 1 MiB average chunk.
 */
export const MAX_INDEX_OBJECT_BYTES = 512 * 1024 * 1024;

/** What a pack trailer may add: ~100 bytes per chunk, and a pack of 16 MiB holds at most a few thousand. */
const PACK_TRAILER_ALLOWANCE_BYTES = 256 * 1024;

/**
 * The largest pack the header's settings produce: a pack is cut once it reaches the target size, so it
 * exceeds it by at most its last chunk (a data chunk, or a bundle of small files) and its trailer.
 */
export function maxPackBytes(header: Pick<RepositoryHeader, 'packTargetSize' | 'dataChunking' | 'smallFileMax'>): number {
  return header.packTargetSize + Math.max(header.dataChunking.maxSize, header.smallFileMax * 2, 1024 * 1024) + PACK_TRAILER_ALLOWANCE_BYTES;
}

/** The bound of a whole read of `key`; a key of no kind the format writes gets the smallest. */
export function maxObjectBytesOf(key: string, header: Pick<RepositoryHeader, 'packTargetSize' | 'dataChunking' | 'smallFileMax'>): number {
  if (key.startsWith(QUARANTINE_PREFIX)) return maxObjectBytesOf(key.slice(QUARANTINE_PREFIX.length), header);
  if (key === HEADER_KEY) return MAX_HEADER_BYTES;
  if (key.startsWith(PACKS_PREFIX)) return maxPackBytes(header);
  if (key.startsWith(INDEX_PREFIX)) return MAX_INDEX_OBJECT_BYTES;
  if (key.startsWith(SNAPSHOTS_PREFIX)) return MAX_SNAPSHOT_BYTES;
  if (key.startsWith(TOMBSTONES_PREFIX)) return MAX_TOMBSTONE_BYTES;
  if (key.startsWith(LOCKS_PREFIX)) return MAX_SESSION_LOCK_BYTES;
  return MAX_HEADER_BYTES;
}
