import type { SealedChunk } from '../crypto/chunk-sealing.js';
import type { ChunkIndex } from '../repository/chunk-index.js';
import type { PackWriter } from '../repository/pack-writer.js';
import type { Repository } from '../repository/repository.js';

/** Compresses and encrypts chunks; inline or on worker threads. */
export interface ChunkSealer {
  /** Resolves once `data` has been consumed (the caller may reuse its buffer); `sealed` completes later. */
  submit(id: Buffer, data: Buffer, metadata: boolean): Promise<{ sealed: Promise<SealedChunk> }>;
  close(): Promise<void>;
}

/**
 * The deduplicating entrance to the repository: a chunk whose id is already indexed (or being sealed right
 * now for another file) costs one HMAC and nothing else. New chunks are sealed and packed in the
 * background, so reading and chunking continue meanwhile; `drain` waits for all of it (checkpoints, end).
 */
export class ChunkStore {
  newChunks = 0;
  newRawBytes = 0;
  private readonly sealing = new Set<string>();
  private readonly background = new Set<Promise<void>>();
  private failure: unknown;

  constructor(
    private readonly repository: Repository,
    private readonly index: ChunkIndex,
    private readonly packer: PackWriter,
    private readonly sealer: ChunkSealer,
  ) {}

  /** Returns the chunk's id once `data` may be reused; storing it completes in the background. */
  async store(data: Buffer, metadata = false): Promise<Buffer> {
    this.throwIfFailed();
    const id = this.repository.chunkIdOf(data);
    const key = id.toString('hex');
    if (this.index.has(id) || this.sealing.has(key)) return id;
    this.sealing.add(key);
    // Backpressure: never seal faster than packs can be uploaded.
    await this.packer.ready();
    const { sealed } = await this.sealer.submit(id, data, metadata);
    const rawLength = data.length;
    const work = sealed
      .then((chunk) => {
        this.packer.add(id, chunk, rawLength);
        this.newChunks++;
        this.newRawBytes += rawLength;
      })
      .catch((error: unknown) => {
        this.failure ??= error;
      })
      .finally(() => {
        this.sealing.delete(key);
        this.background.delete(work);
      });
    this.background.add(work);
    return id;
  }

  /** Waits until every chunk handed to `store` is in the pack writer. */
  async drain(): Promise<void> {
    while (this.background.size > 0) await Promise.all(this.background);
    this.throwIfFailed();
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }
}
