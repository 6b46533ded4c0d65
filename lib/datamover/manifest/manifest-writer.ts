import { encodeManifestEntry, type ManifestEntry, type ManifestHeader } from '../../../proto/repository/index.js';
import { ChunkSplitter, type KnownChunks, type SplitChunk } from '../chunking/chunk-splitter.js';
import type { ContentDefinedChunker } from '../chunking/fastcdc.js';

/** Stores one chunk and returns its id (deduplicated by the caller's chunk store). */
type StoreChunk = (data: Buffer) => Promise<Buffer>;

/** Lines are handed to the chunker in batches: one concat per batch, not per entry. */
const BATCH_BYTES = 256 * 1024;

interface ManifestProgress {
  chunks: string[];
  /** Bytes after the last cut; with `chunks` they let a resumed writer continue byte-identically. */
  tail: Buffer;
}

/**
 * Streams entries into content-defined manifest chunks. Only the current batch and the chunker's tail are
 * in memory, plus the list of chunk ids (64 hex characters per ~64 KiB of manifest).
 */
export class ManifestWriter {
  private readonly splitter: ChunkSplitter;
  private readonly chunkIds: string[];
  private batch: string[] = [];
  private batchBytes = 0;

  private constructor(
    chunker: ContentDefinedChunker,
    private readonly store: StoreChunk,
    resumeFrom?: ManifestProgress,
    known?: KnownChunks,
  ) {
    this.splitter = new ChunkSplitter(chunker, known);
    this.chunkIds = resumeFrom ? [...resumeFrom.chunks] : [];
  }

  /**
   * `known`: chunks this manifest may repeat (the parent's), taken as they are instead of being cut and
   * hashed again: in an unchanged re-run, that is nearly all of them.
   */
  static start(chunker: ContentDefinedChunker, store: StoreChunk, header: ManifestHeader, known?: KnownChunks): ManifestWriter {
    const writer = new ManifestWriter(chunker, store, undefined, known);
    writer.appendLine(JSON.stringify(header));
    return writer;
  }

  /** Continues a stream from a checkpoint; the tail bytes are re-fed, so later cuts fall where they would have. */
  static async resume(chunker: ContentDefinedChunker, store: StoreChunk, progress: ManifestProgress): Promise<ManifestWriter> {
    const writer = new ManifestWriter(chunker, store, progress);
    await writer.storeAll(writer.splitter.push(progress.tail));
    return writer;
  }

  /**
   * Returns a promise only when a batch went to the chunker (once per BATCH_BYTES): an unchanged re-run
   * writes tens of thousands of lines, and a promise per line was a visible share of its time.
   */
  write(entry: ManifestEntry): void | Promise<void> {
    return this.writeEncoded(encodeManifestEntry(entry));
  }

  /** An entry already encoded by encodeManifestEntry (an unchanged file's previous line). */
  writeEncoded(line: string): void | Promise<void> {
    this.appendLine(line);
    if (this.batchBytes >= BATCH_BYTES) return this.pushBatch();
  }

  async progress(): Promise<ManifestProgress> {
    await this.pushBatch();
    return { chunks: [...this.chunkIds], tail: Buffer.from(this.splitter.buffered) };
  }

  async finish(): Promise<string[]> {
    await this.pushBatch();
    await this.storeAll(this.splitter.finish());
    return this.chunkIds;
  }

  private appendLine(line: string): void {
    this.batch.push(line, '\n');
    this.batchBytes += line.length + 1;
  }

  private async pushBatch(): Promise<void> {
    if (this.batch.length === 0) return;
    const bytes = Buffer.from(this.batch.join(''));
    this.batch = [];
    this.batchBytes = 0;
    await this.storeAll(this.splitter.push(bytes));
  }

  private async storeAll(chunks: SplitChunk[]): Promise<void> {
    for (const { bytes, knownId } of chunks) this.chunkIds.push(knownId ?? (await this.store(bytes)).toString('hex'));
  }
}
