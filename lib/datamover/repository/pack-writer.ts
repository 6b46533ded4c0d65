import type { IndexObject, PackedChunk } from '../../../proto/repository/index.js';
import type { SealedChunk } from '../crypto/chunk-sealing.js';
import type { ChunkIndex } from './chunk-index.js';
import { packKey } from './layout.js';
import { maxPackBytes } from './object-bounds.js';
import { encodePackTrailer } from './pack-trailer.js';
import type { Repository } from './repository.js';

type WrittenPack = IndexObject['packs'][number];

/**
 * Appends sealed chunks to the session's current pack and uploads packs once they reach the target size.
 * A chunk enters the index the moment it is appended, so the same content is never appended twice in a
 * session; the index only becomes durable (an index object) at checkpoints and at the end.
 */
export class PackWriter {
  /**
   * The open pack's bytes, appended in place. Pack buffers are reused once their upload is done: a fresh
   * 16 MiB body per pack (one big concat) cost page faults worth a tenth of a backup's main-thread time.
   */
  private body: Buffer | undefined;
  private readonly spareBodies: Buffer[] = [];
  private readonly capacity: number;
  private entries: PackedChunk[] = [];
  private size = 0;
  private currentKey: string;
  private readonly uploads = new Set<Promise<void>>();
  private written: WrittenPack[] = [];
  private failure: unknown;
  packsWritten = 0;

  constructor(
    private readonly repository: Repository,
    private readonly index: ChunkIndex,
    private readonly sessionId: string,
    private nextSequence: number,
    private readonly uploadConcurrency: number,
  ) {
    this.currentKey = packKey(sessionId, this.nextSequence++);
    // A pack is cut as soon as it reaches the target, so it never exceeds it by more than one chunk plus the trailer.
    this.capacity = maxPackBytes(repository.header);
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
    this.append(sealed.stored);
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

  private append(bytes: Buffer): void {
    this.body ??= this.spareBodies.pop() ?? Buffer.allocUnsafeSlow(this.capacity);
    if (this.size + bytes.length > this.body.length) {
      // Only for chunks beyond what the header promises; such a body is not kept for reuse.
      const larger = Buffer.allocUnsafeSlow(this.size + bytes.length);
      this.body.copy(larger, 0, 0, this.size);
      this.body = larger;
    }
    bytes.copy(this.body, this.size);
  }

  private startUpload(): void {
    const key = this.currentKey;
    const entries = this.entries;
    const trailer = encodePackTrailer(this.repository.keys.dataKey, key, entries);
    const size = this.size;
    this.append(trailer);
    const buffer = this.body!;
    const body = buffer.subarray(0, size + trailer.length);
    this.body = undefined;
    this.entries = [];
    this.size = 0;
    this.currentKey = packKey(this.sessionId, this.nextSequence++);
    const upload = this.repository.backend
      .put(key, body)
      .then(() => {
        this.written.push({ key, size: body.length, chunks: entries });
        this.packsWritten++;
        if (buffer.length === this.capacity) this.spareBodies.push(buffer);
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
