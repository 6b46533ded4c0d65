import { randomBytes, randomUUID } from 'node:crypto';
import {
  REPOSITORY_FORMAT,
  repositoryHeaderCodec,
  snapshotCodec,
  type ChunkerParams,
  type RepositoryHeader,
  type Snapshot,
} from '../../../proto/repository/index.js';
import { ContentDefinedChunker } from '../chunking/fastcdc.js';
import { deriveGearTable } from '../chunking/gear-table.js';
import { chunkId } from '../crypto/chunk-id.js';
import {
  DEFAULT_KDF_COST,
  deriveMasterKey,
  generateRepositoryKeys,
  headerAad,
  unwrapKeys,
  wrapKeys,
  type RepositoryKeys,
} from '../crypto/repository-keys.js';
import { CorruptObjectError, InvalidArgumentError, ObjectExistsError, ObjectNotFoundError, RepositoryExistsError, RepositoryNotFoundError, SnapshotNotFoundError } from '../errors.js';
import { mapConcurrent } from '../../common/map-concurrent.js';
import type { PutOptions, StorageBackend } from '../storage/backend.js';
import { HEADER_KEY, SNAPSHOTS_PREFIX, snapshotKey } from './layout.js';
import { MAX_HEADER_BYTES, maxObjectBytesOf } from './object-bounds.js';
import { openObject, sealObject } from './sealed-object.js';

/** The averages a repository may be created with (`init --chunk-avg-kib`); min and max follow FastCDC's ¼× and 4×. */
export const MIN_DATA_CHUNK_AVERAGE = 16 * 1024;
export const MAX_DATA_CHUNK_AVERAGE = 4 * 1024 * 1024;

export function dataChunkingWithAverage(avgSize: number): ChunkerParams {
  if (!(avgSize >= MIN_DATA_CHUNK_AVERAGE && avgSize <= MAX_DATA_CHUNK_AVERAGE) || (avgSize & (avgSize - 1)) !== 0)
    throw new InvalidArgumentError(`the data chunk average must be a power of two from ${MIN_DATA_CHUNK_AVERAGE / 1024} to ${MAX_DATA_CHUNK_AVERAGE / 1024} KiB, got ${avgSize / 1024} KiB`);
  return { algorithm: 'fastcdc-gear-2020', minSize: avgSize / 4, avgSize, maxSize: avgSize * 4 };
}
/**
 * What new repositories cut files with (each repository keeps the parameters its header was created with,
 * so older ones go on with 256 KiB / 1 MiB / 4 MiB). A 64 KiB average: a scattered 4 KiB page write in a
 * database file or disk image then stores about one 64 KiB chunk, compressed, where a 1 MiB average stored
 * a megabyte (bench, database family: an incremental after 1 % of pages rewritten stored 7× the bytes
 * written instead of 29×). The price is about 10 % more stored on a first backup of compressible files
 * (zstd sees less context per chunk) and 16× more index entries per byte of large files.
 */
export const DEFAULT_DATA_CHUNKING: ChunkerParams = dataChunkingWithAverage(64 * 1024);
/** Manifests use small chunks: a changed entry then re-uploads ~64 KiB of manifest, not a megabyte. */
const DEFAULT_METADATA_CHUNKING: ChunkerParams = { algorithm: 'fastcdc-gear-2020', minSize: 16 * 1024, avgSize: 64 * 1024, maxSize: 256 * 1024 };
const DEFAULT_PACK_TARGET_SIZE = 16 * 1024 * 1024;
const DEFAULT_COMPRESSION_LEVEL = 3;
const DEFAULT_SMALL_FILE_MAX = 64 * 1024;
const SNAPSHOT_READ_CONCURRENCY = 8;
const CORRUPT_SNAPSHOT_REMEDY = "run the data mover's `repair` command to move it to quarantine/ (what it recorded cannot be restored)";

export interface InitOptions {
  kdfCost?: number;
  dataChunking?: ChunkerParams;
  metadataChunking?: ChunkerParams;
  packTargetSize?: number;
  compressionLevel?: number;
  smallFileMax?: number;
  now?: Date;
  /** How long a creator on a store that ignores If-None-Match waits before reading back whose header stands. */
  creationSettleMs?: number;
}

/**
 * Longer than the gap between a racing creator's last look for a header and its write (one request):
 * after it, whatever header stands is the one every creator reads back.
 */
const DEFAULT_CREATION_SETTLE_MS = 5_000;

/**
 * Whether the store refuses a create-if-absent of an existing key. Asked by writing the same header
 * again: where the store ignores the condition, that write changes nothing.
 */
async function honoursIfAbsent(backend: StorageBackend, bytes: Buffer): Promise<boolean> {
  try {
    await backend.put(HEADER_KEY, bytes, { ifAbsent: true });
    return false;
  } catch (error) {
    if (error instanceof ObjectExistsError) return true;
    throw error;
  }
}

/** An opened repository: its header, its unwrapped keys and the chunkers they imply. */
export class Repository {
  readonly dataChunker: ContentDefinedChunker;
  readonly metadataChunker: ContentDefinedChunker;

  private constructor(
    readonly backend: StorageBackend,
    readonly header: RepositoryHeader,
    readonly keys: RepositoryKeys,
  ) {
    const gear = deriveGearTable(keys.chunkerKey);
    this.dataChunker = new ContentDefinedChunker(header.dataChunking, gear);
    this.metadataChunker = new ContentDefinedChunker(header.metadataChunking, gear);
  }

  static async init(backend: StorageBackend, secret: string, options: InitOptions = {}): Promise<Repository> {
    const withoutKeys: Omit<RepositoryHeader, 'wrappedKeys'> = {
      format: REPOSITORY_FORMAT,
      version: 1,
      repositoryId: randomUUID(),
      createdAt: (options.now ?? new Date()).toISOString(),
      kdf: { algorithm: 'scrypt', salt: randomBytes(16).toString('base64'), cost: options.kdfCost ?? DEFAULT_KDF_COST, blockSize: 8, parallelization: 1 },
      dataChunking: options.dataChunking ?? DEFAULT_DATA_CHUNKING,
      metadataChunking: options.metadataChunking ?? DEFAULT_METADATA_CHUNKING,
      packTargetSize: options.packTargetSize ?? DEFAULT_PACK_TARGET_SIZE,
      compression: { algorithm: 'zstd', level: options.compressionLevel ?? DEFAULT_COMPRESSION_LEVEL },
      smallFileMax: options.smallFileMax ?? DEFAULT_SMALL_FILE_MAX,
    };
    const keys = generateRepositoryKeys();
    const masterKey = await deriveMasterKey(secret, withoutKeys.kdf);
    const header: RepositoryHeader = { ...withoutKeys, wrappedKeys: wrapKeys(masterKey, keys, headerAad(withoutKeys)) };
    const bytes = Buffer.from(JSON.stringify(header, null, 2));
    // The key derivation above takes long enough for another creator to have finished meanwhile.
    if (await backend.head(HEADER_KEY)) throw new RepositoryExistsError(backend.location);
    try {
      await backend.put(HEADER_KEY, bytes, { ifAbsent: true });
    } catch (error) {
      if (error instanceof ObjectExistsError) throw new RepositoryExistsError(backend.location);
      throw error;
    }
    if (!(await honoursIfAbsent(backend, bytes))) await Repository.confirmHeader(backend, bytes, options.creationSettleMs ?? DEFAULT_CREATION_SETTLE_MS);
    return new Repository(backend, header, keys);
  }

  /**
   * On a store that ignores If-None-Match, two creators can both "create" the header and the later write
   * silently replaces the earlier: whoever kept the replaced header's keys would write data nobody can
   * read. Each creator waits until racing writes have landed, then reads back; the one whose header does
   * not stand gives way (RepositoryExistsError: callers open the repository instead).
   */
  private static async confirmHeader(backend: StorageBackend, bytes: Buffer, settleMs: number): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    const standing = await backend.get(HEADER_KEY, { maxBytes: MAX_HEADER_BYTES });
    if (!standing.equals(bytes)) throw new RepositoryExistsError(backend.location);
  }

  static async open(backend: StorageBackend, secret: string): Promise<Repository> {
    return (await Repository.beginOpen(backend, secret)).repository;
  }

  /**
   * Reads the header and starts deriving the key (about 0.1 s on the thread pool), then returns: the caller
   * can load what it needs meanwhile. The key derivation's failure surfaces through `repository`.
   */
  static async beginOpen(backend: StorageBackend, secret: string): Promise<{ repository: Promise<Repository> }> {
    let bytes: Buffer;
    try {
      bytes = await backend.get(HEADER_KEY, { maxBytes: MAX_HEADER_BYTES });
    } catch (error) {
      if (error instanceof ObjectNotFoundError) throw new RepositoryNotFoundError(backend.location);
      throw error;
    }
    let header: RepositoryHeader;
    try {
      header = repositoryHeaderCodec.decodeJson(bytes.toString('utf8'));
    } catch (error) {
      // Not the parser's message: it quotes the start of whatever the storage endpoint answered.
      throw new CorruptObjectError(HEADER_KEY, `it is not a repository header (${(error as Error).name})`);
    }
    const repository = deriveMasterKey(secret, header.kdf).then((masterKey) => new Repository(backend, header, unwrapKeys(masterKey, header.wrappedKeys, headerAad(header))));
    repository.catch(() => undefined);
    return { repository };
  }

  /** Rewraps the repository keys under a new storage secret; no data is rewritten. */
  async rewrap(newSecret: string): Promise<void> {
    const { wrappedKeys: _old, ...withoutKeys } = this.header;
    const kdf = { ...withoutKeys.kdf, salt: randomBytes(16).toString('base64') };
    const updated = { ...withoutKeys, kdf };
    const masterKey = await deriveMasterKey(newSecret, kdf);
    const header: RepositoryHeader = { ...updated, wrappedKeys: wrapKeys(masterKey, this.keys, headerAad(updated)) };
    await this.backend.put(HEADER_KEY, Buffer.from(JSON.stringify(header, null, 2)));
  }

  chunkIdOf(data: Uint8Array): Buffer {
    return chunkId(this.keys.idKey, data);
  }

  async putObject(key: string, value: unknown, options: PutOptions = {}): Promise<void> {
    await this.backend.put(key, sealObject(this.keys.dataKey, key, value), options);
  }

  async getObject<T>(key: string, decode: (text: string) => T): Promise<T> {
    return openObject(this.keys.dataKey, key, await this.getWhole(key), decode);
  }

  /** A whole object, refused past what the format makes of its kind. */
  getWhole(key: string): Promise<Buffer> {
    return this.backend.get(key, { maxBytes: maxObjectBytesOf(key, this.header) });
  }

  async writeSnapshot(snapshot: Snapshot): Promise<void> {
    await this.putObject(snapshotKey(snapshot.id), snapshot);
  }

  async readSnapshot(snapshotId: string): Promise<Snapshot> {
    try {
      return await this.openSnapshot(snapshotKey(snapshotId));
    } catch (error) {
      if (error instanceof ObjectNotFoundError) throw new SnapshotNotFoundError(snapshotId);
      throw error;
    }
  }

  /** All snapshots, oldest first. Read several at a time: on S3 each is a round trip. */
  async listSnapshots(): Promise<Snapshot[]> {
    const keys: string[] = [];
    for await (const object of this.backend.list(SNAPSHOTS_PREFIX)) keys.push(object.key);
    const snapshots = await mapConcurrent(keys, SNAPSHOT_READ_CONCURRENCY, (key) => this.openSnapshot(key));
    return snapshots.sort((a, b) => a.finishedAt.localeCompare(b.finishedAt));
  }

  /** Listing, GC and finding a backup's parent read every snapshot: one corrupt one stops them all until it is moved aside. */
  private async openSnapshot(key: string): Promise<Snapshot> {
    try {
      return await this.getObject(key, (text) => snapshotCodec.decodeJson(text));
    } catch (error) {
      if (error instanceof CorruptObjectError && error.remedy === undefined) throw new CorruptObjectError(error.objectKey, error.reason, CORRUPT_SNAPSHOT_REMEDY);
      throw error;
    }
  }

  async deleteSnapshot(snapshotId: string): Promise<void> {
    await this.backend.delete(snapshotKey(snapshotId));
  }

  /**
   * The most recently started snapshot of a volume: the parent of its next incremental backup. Snapshot
   * ids begin with their start time, so keys are read newest first, a few at a time, until one is of the
   * volume: a repository shared by many volumes, or with a long history, costs a handful of reads instead
   * of one per snapshot it holds (each a round trip on S3).
   */
  async latestSnapshotOf(volume: string): Promise<Snapshot | undefined> {
    const keys: string[] = [];
    for await (const object of this.backend.list(SNAPSHOTS_PREFIX)) keys.push(object.key);
    keys.sort().reverse();
    for (let at = 0; at < keys.length; at += SNAPSHOT_READ_CONCURRENCY) {
      const batch = keys.slice(at, at + SNAPSHOT_READ_CONCURRENCY);
      const snapshots = await mapConcurrent(batch, SNAPSHOT_READ_CONCURRENCY, (key) => this.openSnapshot(key));
      const found = snapshots.find((snapshot) => snapshot.volume === volume);
      if (found) return found;
    }
    return undefined;
  }
}
