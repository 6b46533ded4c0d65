import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParentManifestChunks } from '../../lib/datamover/backup/parent-manifest-chunks.js';
import { ChunkSplitter, type KnownChunks } from '../../lib/datamover/chunking/chunk-splitter.js';
import { ContentDefinedChunker } from '../../lib/datamover/chunking/fastcdc.js';
import { deriveGearTable } from '../../lib/datamover/chunking/gear-table.js';
import { DEFAULT_DATA_CHUNKING } from '../../lib/datamover/repository/repository.js';

// Small chunks (the real parameters scaled down 4096 times) so one generated buffer holds dozens of them.
const PARAMS = { ...DEFAULT_DATA_CHUNKING, minSize: 64, avgSize: 256, maxSize: 1024 };
const chunker = new ContentDefinedChunker(PARAMS, deriveGearTable(Buffer.alloc(32, 3)));

/** Cut points (end offsets) of `data` fed in pieces of the given sizes (cycled). */
function cuts(data: Buffer, pieceSizes: readonly number[] = [data.length], known?: KnownChunks): number[] {
  const splitter = new ChunkSplitter(chunker, known);
  const ends: number[] = [];
  let end = 0;
  const take = (chunks: { bytes: Buffer }[]) => {
    for (const chunk of chunks) ends.push((end += chunk.bytes.length));
  };
  for (let offset = 0, i = 0; offset < data.length; i++) {
    const size = Math.max(1, pieceSizes[i % pieceSizes.length]!);
    take(splitter.push(data.subarray(offset, offset + size)));
    offset += size;
  }
  take(splitter.finish());
  return ends;
}

function chunksOf(data: Buffer, ends: readonly number[]): Buffer[] {
  return ends.map((end, i) => data.subarray(i === 0 ? 0 : ends[i - 1]!, end));
}

/** KnownChunks over a fixed list: the first chunk whose bytes follow at `from`, or 'partial' if one may. */
function firstMatch(chunks: readonly Buffer[], data: Buffer, from: number): { id: string; length: number } | 'partial' | undefined {
  let partial = false;
  for (const [i, chunk] of chunks.entries()) {
    const compared = Math.min(chunk.length, data.length - from);
    if (data.compare(chunk, 0, compared, from, from + compared) !== 0) continue;
    if (compared === chunk.length) return { id: `chunk-${i}`, length: chunk.length };
    partial = true;
  }
  return partial ? 'partial' : undefined;
}

/** Random bytes: content-defined cuts are only promised to resynchronise on content that is not self-similar. */
const content = fc.uint8Array({ minLength: 4 * 1024, maxLength: 24 * 1024 }).map((b) => Buffer.from(b));
// `at: 1` appends, which puts bytes after what was the last chunk (cut by the end of the stream, not by content).
const edit = fc.record({ at: fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constant(1)), inserted: fc.uint8Array({ minLength: 0, maxLength: 300 }), removed: fc.nat(300) });

describe('chunk boundaries, generated content', () => {
  it('every chunk is within bounds and the chunks are the stream, however it arrives', () => {
    fc.assert(
      fc.property(content, fc.array(fc.integer({ min: 1, max: 3000 }), { minLength: 1, maxLength: 5 }), (data, pieces) => {
        const whole = cuts(data);
        expect(cuts(data, pieces)).toEqual(whole);
        expect(whole.at(-1)).toBe(data.length);
        const sizes = chunksOf(data, whole).map((c) => c.length);
        for (const size of sizes.slice(0, -1)) expect(size).toBeGreaterThanOrEqual(PARAMS.minSize);
        for (const size of sizes) expect(size).toBeLessThanOrEqual(PARAMS.maxSize);
      }),
    );
  });

  it('an edit moves only the boundaries near it: those before stay, those after come back shifted', () => {
    fc.assert(
      fc.property(content, edit, (data, { at, inserted, removed }) => {
        const start = Math.floor(at * data.length);
        const end = Math.min(data.length, start + removed);
        const edited = Buffer.concat([data.subarray(0, start), Buffer.from(inserted), data.subarray(end)]);
        const shift = edited.length - data.length;
        const before = cuts(data);
        const after = cuts(edited);
        // Cuts ending before the edit depend only on bytes before it.
        const untouched = before.filter((c) => c < start);
        expect(after.slice(0, untouched.length)).toEqual(untouched);
        // After the edit the cuts fall in step again within a few chunks (hash restarts at every cut), so the
        // chunks from there on are the original ones, shifted.
        const resync = after.find((c) => c >= start + inserted.length && before.includes(c - shift));
        if (end + 4 * PARAMS.maxSize < data.length) {
          expect(resync).toBeDefined();
          expect(resync! - (start + inserted.length)).toBeLessThanOrEqual(4 * PARAMS.maxSize);
          const tailBefore = before.filter((c) => c > resync! - shift).map((c) => c + shift);
          expect(after.filter((c) => c > resync!)).toEqual(tailBefore);
        }
      }),
    );
  });

  it("recognising the parent manifest's chunks never moves a cut", async () => {
    await fc.assert(
      fc.asyncProperty(content, edit, fc.array(fc.integer({ min: 1, max: 3000 }), { minLength: 1, maxLength: 3 }), async (data, { at, inserted, removed }, pieces) => {
        const start = Math.floor(at * data.length);
        const edited = Buffer.concat([data.subarray(0, start), Buffer.from(inserted), data.subarray(Math.min(data.length, start + removed))]);
        const parentChunks = chunksOf(data, cuts(data));
        const ids = parentChunks.map((_, i) => `chunk-${i}`);
        const known = new ParentManifestChunks(ids);
        const observe = known.observing(async (id) => parentChunks[Number(id.slice('chunk-'.length))]!);
        // The backup reads the whole parent manifest ahead of writing (only the last chunk is never offered).
        for (const id of ids) await observe(id);
        const plain = cuts(edited);
        expect(cuts(edited, pieces, known)).toEqual(plain);
        // The contract itself, without the parent reader's window: any chunk that ended at a cut point.
        expect(cuts(edited, pieces, { at: (buffer, from) => firstMatch(parentChunks.slice(0, -1), buffer, from) })).toEqual(plain);
      }),
    );
  });
});
