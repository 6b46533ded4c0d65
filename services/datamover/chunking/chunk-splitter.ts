import type { ContentDefinedChunker } from './fastcdc.js';

/**
 * Feeds arbitrary-sized pieces of one byte stream through the chunker and hands out whole chunks.
 * At most `maxSize` plus one input piece is buffered.
 */
export class ChunkSplitter {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly chunker: ContentDefinedChunker) {}

  /** Returns the chunks completed by this piece; they stay valid after later calls. */
  push(piece: Buffer): Buffer[] {
    this.pending = this.pending.length === 0 ? piece : Buffer.concat([this.pending, piece]);
    return this.drain(false);
  }

  /** Ends the stream: everything still pending becomes the last chunk(s). */
  finish(): Buffer[] {
    const chunks = this.drain(true);
    this.pending = Buffer.alloc(0);
    return chunks;
  }

  /** Bytes received but not yet part of a chunk (what a checkpoint must keep aside). */
  get buffered(): Buffer {
    return this.pending;
  }

  private drain(atEnd: boolean): Buffer[] {
    const chunks: Buffer[] = [];
    let offset = 0;
    for (;;) {
      const length = this.chunker.cut(this.pending, offset, this.pending.length, atEnd);
      if (length === 0) break;
      chunks.push(this.pending.subarray(offset, offset + length));
      offset += length;
    }
    this.pending = offset === 0 ? this.pending : this.pending.subarray(offset);
    return chunks;
  }
}
