import type { KnownChunks } from '../chunking/chunk-splitter.js';
import { MANIFEST_READ_AHEAD, type FetchChunk } from '../manifest/manifest-reader.js';

/**
 * The parent manifest's chunks most recently read, for the new manifest's writer to recognise (see
 * KnownChunks): where the tree did not change, the new manifest repeats the parent's bytes, and from the
 * first cut point they share its chunks are the parent's chunks. A match costs a memcmp instead of
 * content-defined cutting and a keyed hash.
 *
 * The reader runs ahead of the writer by its read-ahead plus the writer's batch and the entries in flight;
 * RECENT_CHUNKS covers that twice over (a few MB). The parent's last chunk is never offered: it ended where
 * the parent's stream ended, not at a cut point.
 */
const RECENT_CHUNKS = 2 * MANIFEST_READ_AHEAD + 16;

export class ParentManifestChunks implements KnownChunks {
  private recent: { id: string; bytes: Buffer }[] = [];
  private readonly lastId: string | undefined;

  constructor(parentChunkIds: readonly string[]) {
    this.lastId = parentChunkIds.at(-1);
  }

  /** Wraps the parent manifest's fetch, keeping what it returns. */
  observing(fetch: FetchChunk): FetchChunk {
    return async (idHex) => {
      const bytes = await fetch(idHex);
      if (idHex !== this.lastId) {
        this.recent.push({ id: idHex, bytes });
        if (this.recent.length > RECENT_CHUNKS) this.recent.shift();
      }
      return bytes;
    };
  }

  at(data: Buffer, start: number): { id: string; length: number } | 'partial' | undefined {
    const available = data.length - start;
    for (let i = 0; i < this.recent.length; i++) {
      const { id, bytes } = this.recent[i]!;
      const compared = Math.min(bytes.length, available);
      if (data.compare(bytes, 0, compared, start, start + compared) !== 0) continue;
      if (compared < bytes.length) return 'partial';
      // The new manifest goes on after this chunk: the ones before it can no longer match.
      this.recent = this.recent.slice(i + 1);
      return { id, length: bytes.length };
    }
    return undefined;
  }
}
