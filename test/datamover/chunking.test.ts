import { describe, expect, it } from 'vitest';
import { ChunkSplitter, type KnownChunks, type SplitChunk } from '../../lib/datamover/chunking/chunk-splitter.js';
import { ContentDefinedChunker } from '../../lib/datamover/chunking/fastcdc.js';
import { deriveGearTable } from '../../lib/datamover/chunking/gear-table.js';
import { dataChunkingWithAverage } from '../../lib/datamover/repository/repository.js';
import { pseudoRandomBytes } from './helpers/tree-builder.js';

const MiB = 1024 * 1024;
/** The 1 MiB average repositories created before 64 KiB became the default still cut with. */
const CHUNKING = dataChunkingWithAverage(MiB);
const chunker = new ContentDefinedChunker(CHUNKING, deriveGearTable(Buffer.alloc(32, 7)));

function splitChunks(data: Buffer, pieceSize = 8 * MiB, known?: KnownChunks): SplitChunk[] {
  const splitter = new ChunkSplitter(chunker, known);
  const chunks: SplitChunk[] = [];
  for (let offset = 0; offset < data.length; offset += pieceSize) chunks.push(...splitter.push(data.subarray(offset, offset + pieceSize)));
  chunks.push(...splitter.finish());
  return chunks;
}

function split(data: Buffer, pieceSize = 8 * MiB): Buffer[] {
  return splitChunks(data, pieceSize).map((chunk) => chunk.bytes);
}

describe('content-defined chunking', () => {
  // Seeded, so each bound below is checked on the same bytes every run (random data made them flaky).
  const data = pseudoRandomBytes(64 * MiB, 'chunking');
  const original = split(data);

  it('cuts chunks within bounds and near the 1 MiB average', () => {
    expect(Buffer.concat(original).equals(data)).toBe(true);
    const sizes = original.map((chunk) => chunk.length);
    for (const size of sizes.slice(0, -1)) {
      expect(size).toBeGreaterThanOrEqual(CHUNKING.minSize);
      expect(size).toBeLessThanOrEqual(CHUNKING.maxSize);
    }
    const average = data.length / sizes.length;
    expect(average).toBeGreaterThan(0.6 * MiB);
    expect(average).toBeLessThan(1.6 * MiB);
  });

  it('recognised chunks end where cutting would end them, so only the changed stretch is cut', () => {
    const changed = Buffer.from(data);
    changed.fill(1, 20 * MiB, 20 * MiB + 4096);
    // Every chunk of the original but the last, which ended with the stream rather than at a cut point.
    const stored = original.slice(0, -1).map((bytes, i) => ({ bytes, id: `chunk-${i}` }));
    const known: KnownChunks = {
      at(buffer, start) {
        for (const { bytes, id } of stored) {
          const compared = Math.min(bytes.length, buffer.length - start);
          if (buffer.compare(bytes, 0, compared, start, start + compared) === 0) return compared < bytes.length ? 'partial' : { id, length: bytes.length };
        }
        return undefined;
      },
    };
    const recognised = splitChunks(changed, 777_777, known);
    expect(recognised.map((chunk) => chunk.bytes.length)).toEqual(split(changed).map((chunk) => chunk.length));
    expect(Buffer.concat(recognised.map((chunk) => chunk.bytes)).equals(changed)).toBe(true);
    const cut = recognised.filter((chunk) => chunk.knownId === undefined);
    // The chunk holding the change, the few after it until the cuts fall back in step, and the last one.
    expect(cut.length).toBeGreaterThanOrEqual(2);
    expect(cut.length).toBeLessThanOrEqual(5);
    for (const chunk of recognised.filter((c) => c.knownId !== undefined)) expect(chunk.bytes.equals(stored.find((s) => s.id === chunk.knownId)!.bytes)).toBe(true);
  });

  it('does not depend on how the input is sliced', () => {
    const sliced = split(data, 777_777).map((chunk) => chunk.length);
    expect(sliced).toEqual(original.map((chunk) => chunk.length));
  });

  it('a 4 KiB overwrite in the middle of 64 MiB changes at most two chunks', () => {
    const edited = Buffer.from(data);
    pseudoRandomBytes(4096, 'overwrite').copy(edited, 32 * MiB);
    const known = new Set(original.map((chunk) => chunk.toString('base64').slice(0, 64) + chunk.length));
    const changed = split(edited).filter((chunk) => !known.has(chunk.toString('base64').slice(0, 64) + chunk.length));
    expect(changed.length).toBeLessThanOrEqual(2);
    expect(changed.reduce((sum, chunk) => sum + chunk.length, 0)).toBeLessThanOrEqual(2 * CHUNKING.maxSize);
  });

  it('a 100-byte insertion shifts data but boundaries resynchronise', () => {
    const inserted = Buffer.concat([data.subarray(0, 20 * MiB), pseudoRandomBytes(100, 'insertion'), data.subarray(20 * MiB)]);
    const known = new Set(original.map((chunk) => chunk.subarray(0, 64).toString('hex') + chunk.length));
    const changed = split(inserted).filter((chunk) => !known.has(chunk.subarray(0, 64).toString('hex') + chunk.length));
    expect(changed.length).toBeLessThanOrEqual(2);
  });
});

/** FastCDC as defined, one byte at a time: the cuts every existing repository's chunks were made with. */
function referenceCut(gear: Int32Array, params: { minSize: number; avgSize: number; maxSize: number }, data: Buffer, start: number): number {
  const available = data.length - start;
  if (available <= params.minSize) return available;
  const limit = Math.min(available, params.maxSize);
  const bits = Math.round(Math.log2(params.avgSize));
  const strict = ~((1 << (32 - bits - 2)) - 1);
  const loose = ~((1 << (32 - bits + 2)) - 1);
  let hash = 0;
  for (let i = params.minSize; i < limit; i++) {
    hash = ((hash << 1) + gear[data[start + i]!]!) | 0;
    if ((hash & (i < params.avgSize ? strict : loose)) === 0) return i + 1;
  }
  return limit;
}

describe('the chunker cuts where FastCDC does', () => {
  // Random data, runs of one byte (a hash that settles) and text, at averages whose bounds are not multiples of 8:
  // every exit of the unrolled loops, and the byte-by-byte tails, are reached.
  const data = Buffer.concat([pseudoRandomBytes(3 * MiB, 'reference-cut'), Buffer.alloc(300_001, 0x41), Buffer.from('row 17: a varied line of text\n'.repeat(40_000)), pseudoRandomBytes(MiB + 3, 'tail')]);
  const gear = deriveGearTable(Buffer.alloc(32, 9));
  for (const params of [dataChunkingWithAverage(64 * 1024), dataChunkingWithAverage(MiB), { algorithm: 'fastcdc-gear-2020' as const, minSize: 1023, avgSize: 4096, maxSize: 16_387 }]) {
    it(`at ${params.avgSize} bytes on average`, () => {
      const fast = new ContentDefinedChunker(params, gear);
      const cuts: number[] = [];
      const expected: number[] = [];
      for (let at = 0; at < data.length; ) {
        const length = fast.cut(data, at, data.length, true);
        cuts.push(length);
        expected.push(referenceCut(gear, params, data, at));
        at += length;
      }
      expect(cuts.length).toBeGreaterThan(data.length / params.avgSize / 4);
      expect(cuts).toEqual(expected);
    });
  }
});
