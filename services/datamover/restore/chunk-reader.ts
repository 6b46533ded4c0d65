import { CHUNK_FLAGS } from '../../../proto/repository/index.js';
import { openChunk } from '../crypto/chunk-sealing.js';
import { ChunkVerificationError, MissingChunkError, ObjectNotFoundError } from '../errors.js';
import type { ChunkIndex, ChunkLocation } from '../repository/chunk-index.js';
import type { Repository } from '../repository/repository.js';

/** Bundles and manifest chunks are read by many consecutive entries; keep a few decrypted. */
const DEFAULT_CACHED_CHUNKS = 8;
/** One ranged read covers at most this much of a pack. */
const MAX_RUN_BYTES = 4 * 1024 * 1024;

/**
 * Reads chunks back and proves each one: the AEAD tag authenticates the stored bytes under the chunk's
 * own key, and the keyed id is recomputed over the plaintext. Failures name the file being restored.
 */
export class ChunkReader {
  /** Decrypted bundle and manifest chunks, and reads of them in flight: concurrent files of one bundle share one fetch. */
  private readonly cache = new Map<string, Promise<Buffer>>();
  bytesFetched = 0;

  constructor(
    private readonly repository: Repository,
    private readonly index: ChunkIndex,
    private readonly cachedChunks = DEFAULT_CACHED_CHUNKS,
  ) {}

  async read(idHex: string, path?: string): Promise<Buffer> {
    const cached = this.cache.get(idHex);
    if (cached) {
      this.cache.delete(idHex);
      this.cache.set(idHex, cached);
      return cached;
    }
    const id = Buffer.from(idHex, 'hex');
    const location = this.index.lookup(id);
    if (!location) throw new MissingChunkError(idHex, path);
    if (!(location.flags & CHUNK_FLAGS.metadata)) return this.fetch(id, idHex, location, path);
    const reading = this.fetch(id, idHex, location, path);
    this.cache.set(idHex, reading);
    reading.catch(() => this.cache.delete(idHex));
    if (this.cache.size > this.cachedChunks) this.cache.delete(this.cache.keys().next().value!);
    return reading;
  }

  /**
   * Splits a file's chunk list into runs stored back to back in one pack (a file's chunks usually are), each
   * at most `maxBytes`: one ranged read per run instead of one per chunk, which on S3 is most of a restore's
   * cost. Chunks the index does not know form runs of their own (reading them names the missing chunk).
   */
  runs(ids: string[], maxBytes = MAX_RUN_BYTES): string[][] {
    const runs: string[][] = [];
    let previous: ChunkLocation | undefined;
    let runBytes = 0;
    for (const idHex of ids) {
      const location = this.index.lookup(Buffer.from(idHex, 'hex'));
      const last = runs.at(-1);
      if (
        last && location && previous && !(location.flags & CHUNK_FLAGS.metadata) &&
        location.packKey === previous.packKey && location.offset === previous.offset + previous.storedLength &&
        runBytes + location.storedLength <= maxBytes
      ) {
        last.push(idHex);
        runBytes += location.storedLength;
      } else {
        runs.push([idHex]);
        runBytes = location?.storedLength ?? 0;
      }
      previous = location && !(location.flags & CHUNK_FLAGS.metadata) ? location : undefined;
    }
    return runs;
  }

  /** The chunks of one run (see `runs`), each verified like `read`. */
  async readRun(run: string[], path?: string): Promise<Buffer[]> {
    if (run.length === 1) return [await this.read(run[0]!, path)];
    const locations = run.map((idHex) => this.index.lookup(Buffer.from(idHex, 'hex'))!);
    const first = locations[0]!;
    const last = locations.at(-1)!;
    const stored = await this.get(run[0]!, first.packKey, first.offset, last.offset + last.storedLength - first.offset, path);
    return run.map((idHex, i) => {
      const location = locations[i]!;
      const start = location.offset - first.offset;
      return this.verified(Buffer.from(idHex, 'hex'), idHex, stored.subarray(start, start + location.storedLength), location, path);
    });
  }

  private async get(idHex: string, packKey: string, offset: number, length: number, path: string | undefined): Promise<Buffer> {
    let stored: Buffer;
    try {
      stored = await this.repository.backend.get(packKey, { offset, length });
    } catch (error) {
      if (error instanceof ObjectNotFoundError) throw new ChunkVerificationError(idHex, packKey, path, 'pack is missing');
      throw error;
    }
    this.bytesFetched += stored.length;
    return stored;
  }

  private async fetch(id: Buffer, idHex: string, location: ChunkLocation, path: string | undefined): Promise<Buffer> {
    const stored = await this.get(idHex, location.packKey, location.offset, location.storedLength, path);
    return this.verified(id, idHex, stored, location, path);
  }

  private verified(id: Buffer, idHex: string, stored: Buffer, location: ChunkLocation, path: string | undefined): Buffer {
    const plaintext = this.open(id, idHex, stored, location.flags, location.packKey, path);
    if (plaintext.length !== location.rawLength || !this.repository.chunkIdOf(plaintext).equals(id)) {
      throw new ChunkVerificationError(idHex, location.packKey, path, 'content does not match its id');
    }
    return plaintext;
  }

  private open(id: Buffer, idHex: string, stored: Buffer, flags: number, packKey: string, path: string | undefined): Buffer {
    let plaintext: Buffer | undefined;
    try {
      plaintext = openChunk(this.repository.keys.dataKey, id, stored, flags);
    } catch (error) {
      throw new ChunkVerificationError(idHex, packKey, path, `undecodable: ${(error as Error).message}`);
    }
    if (!plaintext) throw new ChunkVerificationError(idHex, packKey, path, 'authentication failed (altered or truncated)');
    return plaintext;
  }
}
