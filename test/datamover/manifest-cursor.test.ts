import { describe, expect, it } from 'vitest';
import type { ManifestEntry } from '../../proto/repository/index.js';
import { ManifestCursor } from '../../services/datamover/manifest/manifest-reader.js';
import { comparePaths } from '../../services/datamover/manifest/walk-order.js';

function entry(path: string): ManifestEntry {
  return { path, type: 'file', mode: 0o644, uid: 0, gid: 0, mtimeNs: '0', size: 0 };
}

/** Entries that arrive slowly, like manifest chunks fetched from storage. */
async function* slowly(paths: string[]): AsyncGenerator<ManifestEntry> {
  for (const path of paths) {
    await new Promise((resolve) => setTimeout(resolve, 1));
    yield entry(path);
  }
}

describe('ManifestCursor', () => {
  it('answers overlapping lookups in the order they were made', async () => {
    const previous = ['a', 'a/1', 'a/2', 'b', 'c', 'd/x'];
    const cursor = new ManifestCursor(slowly(previous), comparePaths);
    // Asked all at once, as a fast tree walk does while earlier lookups still wait for entries.
    const asked = ['a', 'a/1', 'a/15', 'a/2', 'b', 'bb', 'c', 'd', 'd/x', 'e'];
    const found = await Promise.all(asked.map((path) => cursor.find(path)));
    expect(found.map((value) => value?.path)).toEqual(['a', 'a/1', undefined, 'a/2', 'b', undefined, 'c', undefined, 'd/x', undefined]);
  });
});
