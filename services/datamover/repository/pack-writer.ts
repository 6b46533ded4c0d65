import type { IndexObject, PackedChunk } from '../../../proto/repository/index.js';
import type { SealedChunk } from '../crypto/chunk-sealing.js';
import type { ChunkIndex } from './chunk-index.js';
import { packKey } from './layout.js';
import { encodePackTrailer } from './pack-trailer.js';
import type { Repository } from './repository.js';

export const DEFAULT_UPLOAD_CONCURRENCY = 2;

type WrittenPack = IndexObject['packs'][number];

/**
 * Appends sealed chunks to the session's current pack and uploads packs once they reach the target size.
 * A chunk enters the index the moment it is appended, so the same content is never appended twice in a
 * session; the index only becomes durable (an index object) at checkpoints and at the end.
 */
export class PackWriter {
  private parts: Buffer[] = [];
  private entries: PackedChunk[] = [];
  private size = 0;
  private currentKey: string;
  private readonly uploads = new Set<Promise<void>>();
  private written: WrittenPack[] = [];
  private failure: unknown;
  packsWritten = 0;
  bytesStored = 0;

  constructor(
    private readonly repository: Repository,
    private readonly index: ChunkIndex,
    private readonly sessionId: string,
    private nextSequence: number,
    private readonly uploadConcurrency: number = DEFAULT_UPLOAD_CONCURRENCY,
  ) {
    this.currentKey = packKey(sessionId, this.nextSequence++);
  }

  /** Bytes held in memory by the open pack and uploads in flight. */
  get bufferedBytes(): number {
    return this.size + this.uploads.size * this.repository.header.packTargetSize;
  }

  /** Resolves when another pack may be started without exceeding the upload concurrency. */
  async ready(): Promise<void> {
    while (this.uploads.size >= this.uploadConcurrency) await Promise.race(this.uploads);
    this.throwIfFailed();
  }

  /** Appends a chunk; starts the pack's upload when full. Callers pace themselves with `ready`. */
  add(id: Buffer, sealed: SealedChunk, rawLength: number): void {
    this.throwIfFailed();
    const offset = this.size;
    this.parts.push(sealed.stored);
    this.entries.push([id.toString('hex'), offset, sealed.stored.length, rawLength, sealed.flags]);
    this.size += sealed.stored.length;
    this.index.add(id, { packKey: this.currentKey, offset, storedLength: sealed.stored.length, rawLength, flags: sealed.flags });
    if (this.size >= this.repository.header.packTargetSize) this.startUpload();
  }

  /** Uploads the open pack (even if small) and waits for every upload: everything added is now durable. */
  async flush(): Promise<void> {
    if (this.entries.length > 0) this.startUpload();
    while (this.uploads.size > 0) await Promise.race(this.uploads);
    this.throwIfFailed();
  }

  /** Packs uploaded since the last call, for the next index object. */
  takeWrittenPacks(): WrittenPack[] {
    const packs = this.written;
    this.written = [];
    return packs;
  }

  private startUpload(): void {
    const key = this.currentKey;
    const entries = this.entries;
    const trailer = encodePackTrailer(this.repository.keys.dataKey, key, entries);
    const body = Buffer.concat([...this.parts, trailer]);
    this.parts = [];
    this.entries = [];
    this.size = 0;
    this.currentKey = packKey(this.sessionId, this.nextSequence++);
    const upload = this.repository.backend
      .put(key, body)
      .then(() => {
        this.written.push({ key, size: body.length, chunks: entries });
        this.packsWritten++;
        this.bytesStored += body.length;
      })
      .catch((error: unknown) => {
        this.failure ??= error;
      })
      .finally(() => this.uploads.delete(upload));
    this.uploads.add(upload);
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }
}
