import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Tombstone } from '../../proto/repository/index.js';
import { runBackup } from '../../lib/datamover/backup/backup.js';
import { PackMissingError } from '../../lib/datamover/errors.js';
import { PACKS_PREFIX, sessionPacksPrefix, SNAPSHOTS_PREFIX, tombstoneKey } from '../../lib/datamover/repository/layout.js';
import { Repository } from '../../lib/datamover/repository/repository.js';
import type { StorageBackend } from '../../lib/datamover/storage/backend.js';
import { localBackend, TEST_SECRET } from './helpers/repository-fixture.js';
import { keysUnder, repositoryScene, withOverrides } from './helpers/repository-scene.js';
import { TreeBuilder } from './helpers/tree-builder.js';

/** The backend, noting every key it is asked to HEAD. */
function countingHeads(backend: StorageBackend, heads: string[]): StorageBackend {
  return withOverrides(backend, {
    head: (key) => {
      heads.push(key);
      return backend.head(key);
    },
  });
}

/**
 * Whatever went wrong meanwhile (a GC on a lapsed lock, an old GC, a hand), a snapshot is recorded only if
 * the packs it could have lost while the backup ran are there.
 */
describe('before a snapshot is recorded, the packs it needs exist', () => {
  const scene = repositoryScene('snapshot-packs', { packTargetSize: 1024 });
  const { clock } = scene;
  const source = (volume: string) => join(scene.path, volume);

  beforeEach(async () => {
    for (const volume of ['a', 'b']) {
      const tree = new TreeBuilder(source(volume));
      for (let i = 0; i < 3; i++) await tree.file(`f${i}.bin`, randomBytes(500_000));
    }
  });

  /** As a GC would, after the backup loaded its index: condemned, and (if `remove`) deleted. */
  async function condemn(packs: string[], remove: boolean): Promise<void> {
    await scene.repository.putObject(tombstoneKey(clock()), { version: 1, createdAt: clock().toISOString(), packs } satisfies Tombstone, { unretained: true });
    if (remove) for (const key of packs) await scene.repository.backend.delete(key);
  }

  it('a pack the backup deduplicated against, condemned and deleted while it ran, fails it', async () => {
    const first = await runBackup(scene.repository, { source: source('a'), volume: 'a', parent: 'none', clock });
    const packs = await keysUnder(scene.repository, PACKS_PREFIX);
    let condemned = false;
    const onCheckpoint = async () => {
      if (condemned) return;
      condemned = true;
      await condemn(packs, true);
    };
    const failure = await runBackup(scene.repository, { source: source('a'), volume: 'a', parent: 'none', clock, onCheckpoint }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(PackMissingError);
    expect(packs).toContain((failure as PackMissingError).packKey);
    expect(await keysUnder(scene.repository, SNAPSHOTS_PREFIX)).toEqual([`${SNAPSHOTS_PREFIX}${first.snapshot.id}`]);
  });

  it('a pack of its own session deleted while it ran fails it', async () => {
    let removed: string | undefined;
    const onCheckpoint = async (checkpoint: { sessionId: string }) => {
      const own = await keysUnder(scene.repository, sessionPacksPrefix(checkpoint.sessionId));
      if (removed || own.length === 0) return;
      removed = own[0]!;
      await scene.repository.backend.delete(removed);
    };
    const failure = await runBackup(scene.repository, { source: source('a'), volume: 'a', parent: 'none', clock, onCheckpoint, checkpointEveryBytes: 1 }).catch((error: unknown) => error);
    expect(removed).toBeDefined();
    expect(failure).toBeInstanceOf(PackMissingError);
    expect((failure as PackMissingError).packKey).toBe(removed);
    expect(await keysUnder(scene.repository, SNAPSHOTS_PREFIX)).toEqual([]);
  });

  it('heads no pack when nothing was condemned meanwhile, and only newly condemned packs it could have used when something was', async () => {
    await runBackup(scene.repository, { source: source('a'), volume: 'a', parent: 'none', clock });
    const packsOfA = await keysUnder(scene.repository, PACKS_PREFIX);
    const b = await runBackup(scene.repository, { source: source('b'), volume: 'b', parent: 'none', clock });
    const packsOfB = await keysUnder(scene.repository, sessionPacksPrefix(b.snapshot.id));

    const quietHeads: string[] = [];
    const quiet = await Repository.open(countingHeads(localBackend(scene.root, { clock }), quietHeads), TEST_SECRET);
    await runBackup(quiet, { source: source('a'), volume: 'a', clock });
    expect(quietHeads.filter((key) => key.startsWith(PACKS_PREFIX))).toEqual([]);

    const heads: string[] = [];
    const watched = await Repository.open(countingHeads(localBackend(scene.root, { clock }), heads), TEST_SECRET);
    let condemned = false;
    const onCheckpoint = async () => {
      if (condemned) return;
      condemned = true;
      await condemn(packsOfB, false);
    };
    await runBackup(watched, { source: source('a'), volume: 'a', clock, onCheckpoint });
    expect(heads.filter((key) => key.startsWith(PACKS_PREFIX)).sort()).toEqual(packsOfB);
    expect(packsOfA.length).toBeGreaterThan(0);
  });
});
