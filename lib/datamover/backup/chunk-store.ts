import type { SealedChunk } from '../crypto/chunk-sealing.js';
import type { ChunkIndex } from '../repository/chunk-index.js';
import type { PackWriter } from '../repository/pack-writer.js';

/** A chunk whose keyed id is known; the sealer holds its bytes until told to seal or drop it. */
export interface HashedChunk {
  id: Buffer;
  /** Compresses and encrypts the chunk (it is new to the repository). */
  seal(): Promise<SealedChunk>;
  /** The repository has it already: forget the bytes. */
  drop(): void;
}

/** One file cut into chunks by the sealer. */
export interface ChunkStream {
  /** A buffer of `size` bytes to read the next piece into: one given back by the sealer, or a new one. */
  readBuffer(size: number): Buffer;
  /**
   * Hands over the file's next piece, whose buffer (all of its ArrayBuffer) the caller gives up; resolves
   * when more may be pushed, with the chunks the piece completed still to come. The last push has `atEnd`.
   */
  push(data: Buffer, atEnd: boolean): Promise<{ chunks: Promise<{ chunk: HashedChunk; length: number }[]> }>;
  /** The file could not be read to its end. */
  abort(): void;
}

/** Hashes, compresses and encrypts chunks; inline or on worker threads. */
export interface ChunkSealer {
  /** Resolves once `data` has been consumed (the caller may reuse its buffer); `hashed` completes later. */
  submit(data: Buffer, metadata: boolean): Promise<{ hashed: Promise<HashedChunk> }>;
  /** Whole-file cutting, where the sealer can do it off the reading thread. */
  openStream?(): ChunkStream;
  close(): Promise<void>;
}

/**
 * The deduplicating entrance to the repository: a chunk whose id is already indexed (or being sealed right
 * now for another file) costs one keyed hash and nothing else. Hashing and sealing both happen in the
 * sealer (off the reading thread when it has workers), so the caller only hands bytes over and collects
 * ids later; `drain` waits for all of it (checkpoints, end).
 */
export class ChunkStore {
  newChunks = 0;
  newRawBytes = 0;
  private readonly sealing = new Set<string>();
  private readonly background = new Set<Promise<void>>();
  private failure: unknown;

  constructor(
    private readonly index: ChunkIndex,
    private readonly packer: PackWriter,
    private readonly sealer: ChunkSealer,
  ) {}

  /**
   * Hands `data` over and resolves as soon as its buffer may be reused, with the id still to come. The id
   * resolves only after a new chunk's sealing is registered, so a `drain` after it covers that chunk.
   */
  async submit(data: Buffer, metadata = false): Promise<{ id: Promise<Buffer> }> {
    this.throwIfFailed();
    const { hashed } = await this.sealer.submit(data, metadata);
    const id = hashed.then((chunk) => this.admit(chunk, data.length));
    this.track(id.then(() => undefined));
    return { id };
  }

  /** Returns the chunk's id; storing it completes in the background. */
  async store(data: Buffer, metadata = false): Promise<Buffer> {
    return (await this.submit(data, metadata)).id;
  }

  /** A chunk the sealer cut and hashed itself (see ChunkStream): dedup, then seal or drop. */
  accept(chunk: HashedChunk, rawLength: number): Promise<Buffer> {
    const id = this.admit(chunk, rawLength);
    this.track(id.then(() => undefined));
    return id;
  }

  /** Waits until every chunk handed to `store` is in the pack writer. */
  async drain(): Promise<void> {
    while (this.background.size > 0) await Promise.all(this.background);
    this.throwIfFailed();
  }

  private async admit(chunk: HashedChunk, rawLength: number): Promise<Buffer> {
    const key = chunk.id.toString('hex');
    if (this.index.has(chunk.id) || this.sealing.has(key)) {
      chunk.drop();
      return chunk.id;
    }
    this.sealing.add(key);
    // Backpressure: never seal faster than packs can be uploaded, nor more than fits in the open pack.
    await this.packer.reserve(rawLength);
    const work = chunk.seal().then(
      (sealed) => {
        this.packer.add(chunk.id, sealed, rawLength);
        this.newChunks++;
        this.newRawBytes += rawLength;
      },
      (error: unknown) => {
        this.packer.release(rawLength);
        throw error;
      },
    );
    this.track(work.finally(() => this.sealing.delete(key)));
    return chunk.id;
  }

  private track(work: Promise<void>): void {
    const tracked = work
      .catch((error: unknown) => {
        this.failure ??= error;
      })
      .finally(() => this.background.delete(tracked));
    this.background.add(tracked);
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }
}
