import type { SealedChunk } from '../crypto/chunk-sealing.js';
import type { ChunkIndex } from '../repository/chunk-index.js';
import type { PackWriter } from '../repository/pack-writer.js';
import type { Repository } from '../repository/repository.js';

/** Compresses and encrypts chunks; inline or on worker threads. */
export interface ChunkSealer {
  seal(id: Buffer, data: Buffer, metadata: boolean): Promise<SealedChunk>;
  close(): Promise<void>;
}

/**
 * The deduplicating entrance to the repository: a chunk whose id is already indexed (or being sealed right
 * now for another file) costs one HMAC and nothing else.
 */
export class ChunkStore {
  newChunks = 0;
  newRawBytes = 0;
  private readonly sealing = new Map<string, Promise<void>>();

  constructor(
    private readonly repository: Repository,
    private readonly index: ChunkIndex,
    private readonly packer: PackWriter,
    private readonly sealer: ChunkSealer,
  ) {}

  async store(data: Buffer, metadata = false): Promise<Buffer> {
    const id = this.repository.chunkIdOf(data);
    if (this.index.has(id)) return id;
    const key = id.toString('hex');
    const inFlight = this.sealing.get(key);
    if (inFlight) {
      await inFlight;
      return id;
    }
    const work = (async () => {
      const sealed = await this.sealer.seal(id, data, metadata);
      await this.packer.add(id, sealed, data.length);
      this.newChunks++;
      this.newRawBytes += data.length;
    })();
    this.sealing.set(key, work);
    try {
      await work;
    } finally {
      this.sealing.delete(key);
    }
    return id;
  }
}
