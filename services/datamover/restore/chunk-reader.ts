import { CHUNK_FLAGS } from '../../../proto/repository/index.js';
import { openChunk } from '../crypto/chunk-sealing.js';
import { ChunkVerificationError, MissingChunkError, ObjectNotFoundError } from '../errors.js';
import type { ChunkIndex, ChunkLocation } from '../repository/chunk-index.js';
import type { Repository } from '../repository/repository.js';

/** Bundles and manifest chunks are read by many consecutive entries; keep a few decrypted. */
const DEFAULT_CACHED_CHUNKS = 8;

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

  private async fetch(id: Buffer, idHex: string, location: ChunkLocation, path: string | undefined): Promise<Buffer> {
    let stored: Buffer;
    try {
      stored = await this.repository.backend.get(location.packKey, { offset: location.offset, length: location.storedLength });
    } catch (error) {
      if (error instanceof ObjectNotFoundError) throw new ChunkVerificationError(idHex, location.packKey, path, 'pack is missing');
      throw error;
    }
    this.bytesFetched += stored.length;
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
