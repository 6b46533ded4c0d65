import type { ContentDefinedChunker } from './fastcdc.js';

/** A chunk cut from the stream; `knownId` when KnownChunks recognised it, so it needs neither cutting nor hashing. */
export interface SplitChunk {
  bytes: Buffer;
  knownId?: string;
}

/**
 * Chunks the stream may repeat, each ending where cutting would end it: content-defined cuts depend only
 * on the bytes since the previous cut, so a stored chunk that starts at a cut point of this stream, and
 * whose bytes follow there in full, is cut exactly there again.
 */
export interface KnownChunks {
  /** At cut point `start` of `data`: such a chunk, 'partial' if one may start there but has not fully arrived, or undefined. */
  at(data: Buffer, start: number): { id: string; length: number } | 'partial' | undefined;
}

/**
 * Feeds arbitrary-sized pieces of one byte stream through the chunker and hands out whole chunks.
 * At most `maxSize` plus one input piece is buffered.
 */
export class ChunkSplitter {
  private pending: Buffer = Buffer.alloc(0);

  constructor(
    private readonly chunker: ContentDefinedChunker,
    private readonly known?: KnownChunks,
  ) {}

  /** Returns the chunks completed by this piece; they stay valid after later calls. */
  push(piece: Buffer): SplitChunk[] {
    this.pending = this.pending.length === 0 ? piece : Buffer.concat([this.pending, piece]);
    return this.drain(false);
  }

  /** Ends the stream: everything still pending becomes the last chunk(s). */
  finish(): SplitChunk[] {
    const chunks = this.drain(true);
    this.pending = Buffer.alloc(0);
    return chunks;
  }

  /** Bytes received but not yet part of a chunk (what a checkpoint must keep aside). */
  get buffered(): Buffer {
    return this.pending;
  }

  private drain(atEnd: boolean): SplitChunk[] {
    const chunks: SplitChunk[] = [];
    let offset = 0;
    for (;;) {
      const known = offset < this.pending.length ? this.known?.at(this.pending, offset) : undefined;
      if (known === 'partial' && !atEnd) break;
      if (known !== undefined && known !== 'partial') {
        chunks.push({ bytes: this.pending.subarray(offset, offset + known.length), knownId: known.id });
        offset += known.length;
        continue;
      }
      const length = this.chunker.cut(this.pending, offset, this.pending.length, atEnd);
      if (length === 0) break;
      chunks.push({ bytes: this.pending.subarray(offset, offset + length) });
      offset += length;
    }
    this.pending = offset === 0 ? this.pending : this.pending.subarray(offset);
    return chunks;
  }
}
