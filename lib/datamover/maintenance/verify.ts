import { ChunkVerificationError, InvalidArgumentError, MissingChunkError, ObjectNotFoundError, SnapshotNotFoundError } from '../errors.js';
import { ChunkIdSet, ChunkIndex } from '../repository/chunk-index.js';
import { readIndexObject } from '../repository/index-store.js';
import { INDEX_PREFIX, PACKS_PREFIX, SNAPSHOTS_PREFIX } from '../repository/layout.js';
import type { Repository } from '../repository/repository.js';
import { ChunkReader } from '../restore/chunk-reader.js';
import { forEachReferencedChunk } from './live-chunks.js';
import { provePack } from './pack-proof.js';

export interface VerifyOptions {
  /** Read every pack in full and prove every chunk: the only check that finds altered chunk bytes. */
  readData?: boolean;
  /** Read this share of packs (0..1], picked at random, in full instead: a spot check of the data. */
  sample?: number;
  random?: () => number;
}

export interface VerifyProblem {
  /**
   * The object at fault: a missing or damaged pack, an index or snapshot object that does not open, or
   * the snapshot itself when it references a chunk no index knows.
   */
  objectKey: string;
  /** The snapshot that cannot be restored whole because of it. */
  snapshotId?: string;
  /** The file in the volume that needs the chunk; absent for the snapshot's manifest. */
  path?: string;
  chunkId?: string;
  packKey?: string;
  message: string;
}

export interface VerifyReport {
  snapshots: number;
  entries: number;
  referencedChunks: number;
  packs: number;
  packsRead: number;
  chunksRead: number;
  /** Bytes of packs read in full. */
  bytesRead: number;
  /** Bytes of manifest chunks read to find what snapshots reference. */
  manifestBytesRead: number;
  unindexedPacks: number;
  /** Packs an index names that the store does not hold. */
  missingPacks: number;
  /** Packs read in full that could not be read or whose trailer does not open. */
  unreadablePacks: number;
  /** Snapshots a problem touches: they cannot be restored whole. */
  damagedSnapshots: string[];
  problems: VerifyProblem[];
}

/** Why a chunk a snapshot references cannot be restored. */
interface ChunkDamage {
  packKey?: string;
  message: string;
}

interface FailedChunk {
  packKey: string;
  idHex: string;
  message: string;
}

const MAX_PROBLEMS = 1000;

/**
 * Checks a repository the way a restore would need it. By default structurally, reading no chunk data but
 * the manifests: every index and snapshot opens, every chunk a snapshot references is indexed, and its pack
 * exists and is long enough to hold it (from one listing of the packs, not a request per chunk). With
 * `readData` (or a `sample` share) packs are also read in full and every chunk in them proven. Problems are
 * collected, not thrown, so one run lists all damage; each names the snapshot and file that need it.
 */
export async function verifyRepository(repository: Repository, options: VerifyOptions = {}): Promise<VerifyReport> {
  const share = shareOfPacksToRead(options);
  const random = options.random ?? Math.random;
  const report: VerifyReport = {
    snapshots: 0,
    entries: 0,
    referencedChunks: 0,
    packs: 0,
    packsRead: 0,
    chunksRead: 0,
    bytesRead: 0,
    manifestBytesRead: 0,
    unindexedPacks: 0,
    missingPacks: 0,
    unreadablePacks: 0,
    damagedSnapshots: [],
    problems: [],
  };
  const problem = (found: VerifyProblem) => {
    if (report.problems.length < MAX_PROBLEMS) report.problems.push(found);
    if (found.snapshotId !== undefined && report.damagedSnapshots.at(-1) !== found.snapshotId) report.damagedSnapshots.push(found.snapshotId);
  };

  const { index, indexedSizes } = await loadReadableIndexes(repository, problem);
  // Listed after the indexes: a backup uploads its packs before the index naming them, so a pack that a
  // listed index names and this listing lacks is really gone.
  const listedSizes = new Map<string, number>();
  for await (const object of repository.backend.list(PACKS_PREFIX)) listedSizes.set(object.key, object.size);
  report.packs = listedSizes.size;
  for (const key of listedSizes.keys()) if (!indexedSizes.has(key)) report.unindexedPacks++;
  for (const key of indexedSizes.keys()) if (!listedSizes.has(key)) report.missingPacks++;

  // Packs are read before the snapshots are walked, so that a chunk found altered is reported with the
  // snapshots and files that need it.
  const failedChunks = new Map<string, FailedChunk>();
  const unreadablePacks = new Map<string, string>();
  for (const key of listedSizes.keys()) {
    if (share === 0 || (share < 1 && random() >= share)) continue;
    report.packsRead++;
    try {
      const proof = await provePack(repository, key);
      report.bytesRead += proof.bytes;
      report.chunksRead += proof.chunks;
      for (const chunk of proof.failed) failedChunks.set(chunkAt(key, chunk.idHex), { packKey: key, idHex: chunk.idHex, message: chunk.message });
    } catch (error) {
      report.unreadablePacks++;
      unreadablePacks.set(key, describe(error));
    }
  }

  const assess = (idHex: string): ChunkDamage | undefined => {
    const location = index.lookup(Buffer.from(idHex, 'hex'));
    if (!location) {
      const hint = report.unindexedPacks > 0 ? ` (${report.unindexedPacks} packs are in no index: repair indexes them from their trailers)` : '';
      return { message: `referenced chunk is in no index${hint}` };
    }
    const { packKey } = location;
    const size = listedSizes.get(packKey);
    if (size === undefined) return { packKey, message: 'the pack holding the chunk is missing' };
    const end = location.offset + location.storedLength;
    if (end > size) return { packKey, message: `the chunk's stored range ends at byte ${end}, beyond the pack's ${size} bytes` };
    const failed = failedChunks.get(chunkAt(packKey, idHex));
    return failed && { packKey, message: failed.message };
  };

  const reader = new ChunkReader(repository, index);
  const seen = new ChunkIdSet();
  const damagedChunks = new Map<string, ChunkDamage>();
  const packsReported = new Set<string>();
  for await (const object of repository.backend.list(SNAPSHOTS_PREFIX)) {
    const snapshotId = object.key.slice(SNAPSHOTS_PREFIX.length);
    let snapshot;
    try {
      snapshot = await repository.readSnapshot(snapshotId);
    } catch (error) {
      // Forgotten since the listing.
      if (error instanceof SnapshotNotFoundError) continue;
      problem({ objectKey: object.key, snapshotId, message: describe(error) });
      continue;
    }
    report.snapshots++;
    // A chunk many snapshots share is assessed once, but reported for each snapshot that needs it.
    const reportedHere = new Set<string>();
    let manifestDamaged = false;
    try {
      report.entries += await forEachReferencedChunk(snapshot, reader, (idHex, path) => {
        const id = Buffer.from(idHex, 'hex');
        if (!seen.has(id)) {
          seen.add(id);
          report.referencedChunks++;
          const damage = assess(idHex);
          if (damage) damagedChunks.set(idHex, damage);
        }
        const damage = damagedChunks.get(idHex);
        if (!damage || reportedHere.has(idHex)) return;
        reportedHere.add(idHex);
        if (path === undefined) manifestDamaged = true;
        if (damage.packKey !== undefined) {
          packsReported.add(damage.packKey);
          failedChunks.delete(chunkAt(damage.packKey, idHex));
        }
        problem({ objectKey: damage.packKey ?? object.key, snapshotId, path, chunkId: idHex, packKey: damage.packKey, message: damage.message });
      });
    } catch (error) {
      // A damaged manifest chunk, already reported, is why the manifest does not open.
      if (!manifestDamaged) {
        const where = chunkOf(error);
        problem({ objectKey: where.packKey ?? object.key, snapshotId, ...where, message: `the manifest cannot be read, so the rest of its entries were not checked: ${describe(error)}` });
      }
    }
  }
  report.manifestBytesRead = reader.bytesFetched;

  // Damage no snapshot needs yet still matters while an index names it: backups deduplicate against it.
  for (const [key, size] of indexedSizes) {
    const listed = listedSizes.get(key);
    if (listed === undefined) {
      if (!packsReported.has(key)) problem({ objectKey: key, packKey: key, message: 'a pack an index names is missing (no snapshot needs its chunks, but a backup may deduplicate against them)' });
    } else if (listed !== size) {
      problem({ objectKey: key, packKey: key, message: `the pack is ${listed} bytes, its index records ${size} (truncated or replaced)` });
    }
    const unreadable = unreadablePacks.get(key);
    if (unreadable !== undefined) problem({ objectKey: key, packKey: key, message: `the pack cannot be read: ${unreadable}` });
  }
  for (const failed of failedChunks.values()) problem({ objectKey: failed.packKey, packKey: failed.packKey, chunkId: failed.idHex, message: failed.message });
  return report;
}

function shareOfPacksToRead(options: VerifyOptions): number {
  const { sample, readData } = options;
  if (sample !== undefined && !(sample > 0 && sample <= 1)) throw new InvalidArgumentError(`the sample must be a share of packs in (0, 1], got ${sample}`);
  if (readData && sample !== undefined && sample < 1) throw new InvalidArgumentError('reading all data and reading a sample of it exclude each other');
  return readData ? 1 : (sample ?? 0);
}

async function loadReadableIndexes(repository: Repository, problem: (found: VerifyProblem) => void): Promise<{ index: ChunkIndex; indexedSizes: Map<string, number> }> {
  const index = new ChunkIndex();
  const indexedSizes = new Map<string, number>();
  for await (const object of repository.backend.list(INDEX_PREFIX)) {
    let record;
    try {
      record = await readIndexObject(repository, object.key);
    } catch (error) {
      // Consolidated by GC since the listing: the object replacing it names the same packs.
      if (error instanceof ObjectNotFoundError) continue;
      problem({ objectKey: object.key, message: describe(error) });
      continue;
    }
    for (const pack of record.packs) {
      indexedSizes.set(pack.key, pack.size);
      for (const [idHex, offset, storedLength, rawLength, flags] of pack.chunks) {
        index.add(Buffer.from(idHex, 'hex'), { packKey: pack.key, offset, storedLength, rawLength, flags });
      }
    }
  }
  return { index, indexedSizes };
}

function chunkAt(packKey: string, idHex: string): string {
  return `${packKey} ${idHex}`;
}

/** The chunk (and where it was looked for) that a failed manifest read names. */
function chunkOf(error: unknown): Pick<VerifyProblem, 'chunkId' | 'packKey' | 'path'> {
  if (error instanceof ChunkVerificationError) return { chunkId: error.chunkId, packKey: error.objectKey, path: error.path };
  if (error instanceof MissingChunkError) return { chunkId: error.chunkId, path: error.path };
  return {};
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
