import { describe, expect, it } from 'vitest';
import type { ManifestEntry } from '../../proto/repository/index.js';
import { ManifestCursor } from '../../lib/datamover/manifest/manifest-reader.js';
import { comparePaths } from '../../lib/datamover/manifest/walk-order.js';

function entry(path: string): ManifestEntry {
  return { path, type: 'file', mode: 0o644, uid: 0, gid: 0, mtimeNs: '0', size: 0 };
}

/** Entries that arrive slowly, like manifest chunks fetched from storage, `perBatch` to a chunk. */
async function* slowly(paths: string[], perBatch = 1): AsyncGenerator<ManifestEntry[]> {
  for (let at = 0; at < paths.length; at += perBatch) {
    await new Promise((resolve) => setTimeout(resolve, 1));
    yield paths.slice(at, at + perBatch).map(entry);
  }
}

describe('ManifestCursor', () => {
  it('answers overlapping lookups in the order they were made', async () => {
    const previous = ['a', 'a/1', 'a/2', 'b', 'c', 'd/x'];
    const cursor = new ManifestCursor(slowly(previous), comparePaths);
    // Asked all at once, as a fast tree walk does while earlier lookups still wait for entries.
    const asked = ['a', 'a/1', 'a/15', 'a/2', 'b', 'bb', 'c', 'd', 'd/x', 'e'];
    // find answers a value or a promise; Promise.resolve is what Promise.all does to each element anyway.
    const found = await Promise.all(asked.map((path) => Promise.resolve(cursor.find(path))));
    expect(found.map((value) => value?.path)).toEqual(['a', 'a/1', undefined, 'a/2', 'b', undefined, 'c', undefined, 'd/x', undefined]);
  });

  it('answers from the buffered chunk without waiting, and the same whether asked one by one or all at once', async () => {
    const previous = ['a', 'a/1', 'a/2', 'b', 'c', 'd/x'];
    const asked = ['a', 'a/1', 'a/15', 'a/2', 'b', 'bb', 'c', 'd', 'd/x', 'e'];
    const expected = ['a', 'a/1', undefined, 'a/2', 'b', undefined, 'c', undefined, 'd/x', undefined];
    const oneByOne = new ManifestCursor(slowly(previous, 4), comparePaths);
    const answers: (ManifestEntry | undefined)[] = [];
    let synchronous = 0;
    for (const path of asked) {
      const lookup = oneByOne.find(path);
      if (!(lookup instanceof Promise)) synchronous++;
      answers.push(await lookup);
    }
    expect(answers.map((value) => value?.path)).toEqual(expected);
    // Only the lookups that needed the next chunk (the first, and the first past each chunk) waited.
    expect(synchronous).toBeGreaterThanOrEqual(asked.length - 3);
    const allAtOnce = new ManifestCursor(slowly(previous, 4), comparePaths);
    expect((await Promise.all(asked.map((path) => Promise.resolve(allAtOnce.find(path))))).map((value) => value?.path)).toEqual(expected);
  });
});
