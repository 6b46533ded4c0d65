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
  /** Raw bytes of chunks reserved and not yet added: being sealed. */
  private sealingBytes = 0;
  private readonly waiters: (() => void)[] = [];
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

  /**
   * Resolves when a chunk of `rawLength` bytes may be sealed for this writer: fewer uploads than the
   * concurrency, and what is being sealed already still fits in the open pack. Without the second
   * condition, every chunk the sealing workers held passed at once while no upload ran, and a burst of
   * packs' worth of sealed chunks sat in memory beside the uploads (most of the first backup's peak RSS).
   * Every reservation ends in `add` or `release`.
   */
  async reserve(rawLength: number): Promise<void> {
    const target = this.repository.header.packTargetSize;
    while (this.uploads.size >= this.uploadConcurrency || (this.sealingBytes > 0 && this.size + this.sealingBytes + rawLength > target)) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    this.throwIfFailed();
    this.sealingBytes += rawLength;
  }

  /** A reserved chunk that will not be added (its sealing failed). */
  release(rawLength: number): void {
    this.sealingBytes -= rawLength;
    this.wake();
  }

  /** Appends a reserved chunk; starts the pack's upload when full. */
  add(id: Buffer, sealed: SealedChunk, rawLength: number): void {
    this.sealingBytes -= rawLength;
    this.wake();
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
      .finally(() => {
        this.uploads.delete(upload);
        this.wake();
      });
    this.uploads.add(upload);
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }
}
