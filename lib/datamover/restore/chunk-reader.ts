import { CHUNK_FLAGS } from '../../../proto/repository/index.js';
import { ChunkVerificationError, MissingChunkError, ObjectNotFoundError } from '../errors.js';
import type { ChunkIndex, ChunkLocation } from '../repository/chunk-index.js';
import type { Repository } from '../repository/repository.js';
import type { ByteRange } from '../storage/backend.js';
import { openVerifiedChunk, type StoredChunk } from './chunk-opening.js';

/** Bundles and manifest chunks are read by many consecutive entries; keep a few decrypted. */
const CACHED_CHUNKS = 8;
/** One ranged read covers at most this much of a pack (a single chunk may be bigger). */
export const MAX_RUN_BYTES = 4 * 1024 * 1024;

/** Chunks stored back to back in one pack, read with one ranged read. */
export interface ChunkRun {
  ids: string[];
  /** Each chunk's plaintext length, so writes can be placed before the bytes arrive. */
  rawLengths: number[];
  storedBytes: number;
}

/** Reads chunks back and proves each one (`openVerifiedChunk`); failures name the file being restored. */
export class ChunkReader {
  /** Decrypted bundle and manifest chunks, and reads of them in flight: concurrent files of one bundle share one fetch. */
  private readonly cache = new Map<string, Promise<Buffer>>();
  bytesFetched = 0;

  constructor(
    private readonly repository: Repository,
    private readonly index: ChunkIndex,
  ) {}

  async read(idHex: string, path?: string): Promise<Buffer> {
    const cached = this.cache.get(idHex);
    if (cached) {
      this.cache.delete(idHex);
      this.cache.set(idHex, cached);
      return cached;
    }
    const location = this.index.lookup(Buffer.from(idHex, 'hex'));
    if (!location) throw new MissingChunkError(idHex, path);
    if (!(location.flags & CHUNK_FLAGS.metadata)) return this.fetch(idHex, location, path);
    const reading = this.fetch(idHex, location, path);
    this.cache.set(idHex, reading);
    reading.catch(() => this.cache.delete(idHex));
    if (this.cache.size > CACHED_CHUNKS) this.cache.delete(this.cache.keys().next().value!);
    return reading;
  }

  /**
   * Splits a file's chunk list into runs stored back to back in one pack (a file's chunks usually are), each
   * at most MAX_RUN_BYTES: one ranged read per run instead of one per chunk, which on S3 is most of a restore's
   * cost. Chunks the index does not know form runs of their own (reading them names the missing chunk).
   */
  runs(ids: string[]): ChunkRun[] {
    const runs: ChunkRun[] = [];
    let previous: ChunkLocation | undefined;
    for (const idHex of ids) {
      const location = this.index.lookup(Buffer.from(idHex, 'hex'));
      const last = runs.at(-1);
      const storedLength = location?.storedLength ?? 0;
      if (
        last && location && previous && !(location.flags & CHUNK_FLAGS.metadata) &&
        location.packKey === previous.packKey && location.offset === previous.offset + previous.storedLength &&
        last.storedBytes + storedLength <= MAX_RUN_BYTES
      ) {
        last.ids.push(idHex);
        last.rawLengths.push(location.rawLength);
        last.storedBytes += storedLength;
      } else {
        runs.push({ ids: [idHex], rawLengths: [location?.rawLength ?? 0], storedBytes: storedLength });
      }
      previous = location && !(location.flags & CHUNK_FLAGS.metadata) ? location : undefined;
    }
    return runs;
  }

  /**
   * A run's stored bytes with one ranged read, not yet opened: the caller opens them with
   * `openVerifiedChunk` wherever it likes (restore does it on its writer threads).
   */
  async fetchRun(run: ChunkRun, path?: string, into?: Uint8Array): Promise<{ stored: Buffer; chunks: (StoredChunk & { storedStart: number; storedLength: number })[] }> {
    const chunks = run.ids.map((idHex) => {
      const location = this.index.lookup(Buffer.from(idHex, 'hex'));
      if (!location) throw new MissingChunkError(idHex, path);
      return { idHex, packKey: location.packKey, rawLength: location.rawLength, flags: location.flags, offset: location.offset, storedLength: location.storedLength };
    });
    const first = chunks[0]!;
    const last = chunks.at(-1)!;
    const stored = await this.get(first.idHex, first.packKey, { offset: first.offset, length: last.offset + last.storedLength - first.offset, into }, path);
    return { stored, chunks: chunks.map(({ offset, ...chunk }) => ({ ...chunk, storedStart: offset - first.offset })) };
  }

  private async get(idHex: string, packKey: string, range: ByteRange, path: string | undefined): Promise<Buffer> {
    let stored: Buffer;
    try {
      // Always into memory of our own: backends then read straight into it (on S3, without the SDK's buffering).
      stored = await this.repository.backend.get(packKey, { ...range, into: range.into ?? Buffer.allocUnsafeSlow(range.length) });
    } catch (error) {
      if (error instanceof ObjectNotFoundError) throw new ChunkVerificationError(idHex, packKey, path, 'pack is missing');
      throw error;
    }
    this.bytesFetched += stored.length;
    return stored;
  }

  private async fetch(idHex: string, location: ChunkLocation, path: string | undefined): Promise<Buffer> {
    const stored = await this.get(idHex, location.packKey, { offset: location.offset, length: location.storedLength }, path);
    return this.verified({ idHex, ...location }, stored, path);
  }

  private verified(chunk: StoredChunk, stored: Uint8Array, path: string | undefined): Buffer {
    return openVerifiedChunk(this.repository.keys, chunk, stored, path);
  }
}
