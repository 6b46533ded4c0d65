import { cp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runBackup } from '../../lib/datamover/backup/backup.js';
import { runRestore } from '../../lib/datamover/restore/restore.js';
import { Repository } from '../../lib/datamover/repository/repository.js';
import { LocalBackend } from '../../lib/datamover/storage/local-backend.js';
import { comparable, digestTree, type EntryDigest } from './helpers/tree-digest.js';
import { scratchDir } from './helpers/repository-fixture.js';

/**
 * A whole repository written by the data mover as of commit 488da4e (before files were cut on the sealing
 * workers and packs appended in place), with the digest of the tree it holds. Every later build must
 * restore it byte for byte and keep adding snapshots to it. Never regenerate it.
 */
const FIXTURE = fileURLToPath(new URL('./fixtures/v1-repository/', import.meta.url));
const SNAPSHOT = '0mwr3tha5-d25c9380';

/** Owners depend on who runs the test; everything else must match. */
function withoutOwners(tree: Record<string, EntryDigest>): Record<string, Omit<EntryDigest, 'uid' | 'gid'>> {
  return Object.fromEntries(Object.entries(tree).map(([path, { uid: _uid, gid: _gid, ...rest }]) => [path, rest]));
}

describe('a repository written by an earlier build', () => {
  let scratch: Awaited<ReturnType<typeof scratchDir>>;
  let repository: Repository;

  beforeEach(async () => {
    scratch = await scratchDir('old-repository');
    await cp(join(FIXTURE, 'repository'), join(scratch.path, 'repo'), { recursive: true });
    repository = await Repository.open(new LocalBackend(join(scratch.path, 'repo')), 'fixture-secret');
  });
  afterEach(() => scratch.cleanup());

  it('restores byte for byte, and a new backup of the restored tree adds no data', async () => {
    const expected = JSON.parse(await readFile(join(FIXTURE, 'expected-tree.json'), 'utf8')) as Record<string, EntryDigest>;
    const target = join(scratch.path, 'restored');
    const restored = await runRestore(repository, { snapshotId: SNAPSHOT, target });
    expect(restored.files).toBe(25);
    expect(withoutOwners(comparable(await digestTree(target)))).toEqual(expected);

    // Same content, so the current chunker and hashing (on workers) must find every chunk already stored.
    const again = await runBackup(repository, { source: target, volume: 'ns/pvc', parent: 'none', sealWorkers: 2 });
    expect(again.snapshot.stats.bytesRead).toBeGreaterThan(500_000);
    expect(again.snapshot.stats.newChunks).toBeLessThanOrEqual(1);
  }, 60_000);
});
