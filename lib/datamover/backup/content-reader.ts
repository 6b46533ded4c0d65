import type { ManifestEntry } from '../../../proto/repository/index.js';
import { TokenBucket } from '../controls/token-bucket.js';
import type { Repository } from '../repository/repository.js';
import type { ChunkSealer, ChunkStore } from './chunk-store.js';
import { chunkFile, readSmallFile, streamFile, type ChunkedContent } from './file-chunker.js';
import type { Emission } from './manifest-emitter.js';
import type { BackupCounters, CheckpointSchedule } from './progress.js';
import type { WalkedItem } from './tree-walker.js';

/**
 * Reads what has to be read (a new or changed file, a block device) into the repository. A small file is
 * read whole, for a bundle; anything larger is cut into chunks: by a sealing worker when the sealer has
 * them (the buffers are moved there), on this thread when it has none or when holes must be found here.
 */
export class ContentReader {
  constructor(
    private readonly repository: Repository,
    private readonly store: ChunkStore,
    private readonly sealer: ChunkSealer,
    private readonly readSize: number,
    /** Bytes per second per file, when throttled. */
    private readonly rate: number | undefined,
    private readonly counters: BackupCounters,
    private readonly schedule: CheckpointSchedule,
    /** Called when a file's read is over (its figures count as done). */
    private readonly onFileRead: () => void = () => undefined,
  ) {}

  async readFile(item: WalkedItem, entry: ManifestEntry): Promise<Emission> {
    this.counters.filesRead++;
    try {
      return await this.readFileContent(item, entry);
    } finally {
      this.onFileRead();
    }
  }

  private async readFileContent(item: WalkedItem, entry: ManifestEntry): Promise<Emission> {
    if (entry.size <= this.repository.header.smallFileMax) {
      const content = await readSmallFile(item.absolutePath, entry.size, this.throttle());
      // It may have grown since the walk's lstat: then it is chunked like any large file.
      if (content.length <= this.repository.header.smallFileMax) {
        this.countRead(content.length);
        entry.size = content.length;
        return content.length === 0 ? { entry } : { entry, small: content };
      }
    }
    this.chunkInto(entry, await this.chunkContent(item.absolutePath, item.sparse, entry.size));
    return { entry };
  }

  /** A block volume's device or image, scanned for holes; its size is what was read (a device's stat says 0). */
  async readDevice(entry: ManifestEntry, path: string): Promise<void> {
    this.chunkInto(entry, await this.chunkContent(path, true));
  }

  private chunkInto(entry: ManifestEntry, content: ChunkedContent): void {
    entry.size = content.size;
    if (content.chunks.length > 0) entry.chunks = content.chunks;
    if (content.holes.length > 0) entry.holes = content.holes;
  }

  /** `expectedSize` sizes the read buffer; omitted for devices, whose stat size is 0. */
  private async chunkContent(path: string, sparse: boolean, expectedSize?: number): Promise<ChunkedContent> {
    const stream = !sparse && expectedSize !== undefined ? this.sealer.openStream?.() : undefined;
    if (stream) {
      return streamFile(path, {
        stream,
        accept: (chunk, length) => this.store.accept(chunk, length),
        readSize: this.readSize,
        throttle: this.throttle(),
        onBytes: (bytes) => this.countRead(bytes),
      }, expectedSize!);
    }
    return chunkFile(path, {
      chunker: this.repository.dataChunker,
      submit: (chunk) => this.store.submit(chunk),
      sparse,
      readSize: this.readSize,
      throttle: this.throttle(),
      onBytes: (bytes) => this.countRead(bytes),
    }, expectedSize);
  }

  /** Each file gets a bucket of its own: the limit is per stream, not for the whole backup. */
  private throttle(): TokenBucket | undefined {
    return this.rate ? new TokenBucket(this.rate) : undefined;
  }

  private countRead(bytes: number): void {
    this.counters.bytesRead += bytes;
    this.schedule.bytesSinceCheckpoint += bytes;
  }
}
