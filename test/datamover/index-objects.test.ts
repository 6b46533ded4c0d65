import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBackup } from '../../lib/datamover/backup/backup.js';
import { collectGarbage } from '../../lib/datamover/maintenance/gc.js';
import { verifyRepository } from '../../lib/datamover/maintenance/verify.js';
import { CompactPack } from '../../lib/datamover/repository/compact-pack.js';
import { indexObjectGroups, loadIndex, readIndexObject } from '../../lib/datamover/repository/index-store.js';
import { INDEX_PREFIX } from '../../lib/datamover/repository/layout.js';
import { keysUnder, repositoryScene } from './helpers/repository-scene.js';
import { TreeBuilder } from './helpers/tree-builder.js';

const HOUR = 3_600_000;

function pack(key: string, chunks: number) {
  return { key, size: chunks * 100, chunks: Array.from({ length: chunks }, (_, i) => ['0'.repeat(64), i * 100, 100, 100, 0] as [string, number, number, number, number]) };
}

describe('bounded index objects', () => {
  it('groups packs in order under the chunk cap, never splitting one, a larger pack alone', () => {
    const packs = [pack('a', 3), pack('b', 3), pack('c', 9), pack('d', 1), pack('e', 2)];
    expect(indexObjectGroups(packs, 6).map((group) => group.map((p) => p.key))).toEqual([['a', 'b'], ['c'], ['d', 'e']]);
  });

  it("GC's compact form of a pack gives back exactly the entry it was made from", () => {
    const entry = {
      key: 'packs/s/7',
      size: 123_456,
      chunks: Array.from({ length: 300 }, (_, i) => [randomBytes(32).toString('hex'), i * 4_000_000, 1 + i * 13_001, i * 17_003, i % 4] as [string, number, number, number, number]),
    };
    const compact = CompactPack.from(entry, 'index/s-0');
    expect(compact.chunkCount).toBe(300);
    expect(compact.entry()).toEqual(entry);
    expect(compact.someId((id) => id.toString('hex') === entry.chunks[299]![0])).toBe(true);
    expect(compact.someId((id) => id.toString('hex') === '0'.repeat(64))).toBe(false);
    // A field that would wrap in its typed array is refused, naming the index object, not written back changed.
    const wrapping = { ...entry, chunks: [[entry.chunks[0]![0], 2 ** 32, 1, 1, 0] as [string, number, number, number, number]] };
    expect(() => CompactPack.from(wrapping, 'index/s-0')).toThrow(/index\/s-0 is corrupt/);
    // Grouped by its chunk count like any entry.
    expect(indexObjectGroups([compact, pack('small', 2)], 302).map((group) => group.length)).toEqual([2]);
    expect(indexObjectGroups([compact, pack('small', 2)], 301).map((group) => group.length)).toEqual([1, 1]);
  });

  const scene = repositoryScene('index-objects');

  it("GC consolidates the repository's index into objects of at most the cap, and backups load them", async () => {
    const source = join(scene.path, 'source');
    const tree = new TreeBuilder(source);
    // Files above the small-file limit, so each is chunks of its own: a few dozen chunks in all.
    for (let i = 0; i < 12; i++) await tree.file(`f${i}.bin`, randomBytes(300_000));
    const options = { source, volume: 'v', clock: scene.clock } as const;
    for (let run = 0; run < 3; run++) {
      await tree.file(`added-${run}.bin`, randomBytes(300_000));
      await runBackup(scene.repository, options);
    }
    const before = await loadIndex(scene.repository);
    const chunksBefore = [...before.packSizes.keys()].length;
    expect(chunksBefore).toBeGreaterThan(0);

    scene.advance(2 * HOUR);
    const cap = 8;
    const report = await collectGarbage(scene.repository, { graceMs: HOUR, clock: scene.clock, indexObjectChunks: cap });
    expect(report.indexObjectsConsolidated).toBeGreaterThan(1);
    const keys = await keysUnder(scene.repository, INDEX_PREFIX);
    expect(keys.length).toBeGreaterThan(1);
    const objects = await Promise.all(keys.map((key) => readIndexObject(scene.repository, key)));
    for (const object of objects) {
      const chunks = object.packs.reduce((sum, p) => sum + p.chunks.length, 0);
      // Only a pack of more chunks than the cap may exceed it, alone in its object.
      expect(chunks <= cap || object.packs.length === 1).toBe(true);
    }
    const after = await loadIndex(scene.repository);
    expect([...after.packSizes.keys()].sort()).toEqual([...before.packSizes.keys()].sort());

    const unchanged = await runBackup(scene.repository, { ...options, parent: 'none' });
    expect(unchanged.snapshot.stats.newChunks).toBe(0);
    expect((await verifyRepository(scene.repository)).problems).toEqual([]);
  });
});
