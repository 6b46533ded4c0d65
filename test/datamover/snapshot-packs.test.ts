import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Tombstone } from '../../proto/repository/index.js';
import { runBackup } from '../../lib/datamover/backup/backup.js';
import { PackMissingError } from '../../lib/datamover/errors.js';
import { PACKS_PREFIX, sessionPacksPrefix, SNAPSHOTS_PREFIX, tombstoneKey } from '../../lib/datamover/repository/layout.js';
import { Repository } from '../../lib/datamover/repository/repository.js';
import type { StorageBackend } from '../../lib/datamover/storage/backend.js';
import { localBackend, localRepository, scratchDir, TEST_SECRET } from './helpers/repository-fixture.js';
import { TreeBuilder } from './helpers/tree-builder.js';

async function keysUnder(repository: Repository, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const object of repository.backend.list(prefix)) keys.push(object.key);
  return keys.sort();
}

/** The backend, noting every key it is asked to HEAD. */
function countingHeads(backend: StorageBackend, heads: string[]): StorageBackend {
  return new Proxy(backend, {
    get(target, property) {
      if (property === 'head') {
        return (key: string) => {
          heads.push(key);
          return target.head(key);
        };
      }
      const value = Reflect.get(target, property) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * Whatever went wrong meanwhile (a GC on a lapsed lock, an old GC, a hand), a snapshot is recorded only if
 * the packs it could have lost while the backup ran are there.
 */
describe('before a snapshot is recorded, the packs it needs exist', () => {
  let scratch: Awaited<ReturnType<typeof scratchDir>>;
  let root: string;
  let repository: Repository;
  const now = Date.now();
  const clock = () => new Date(now);
  const source = (volume: string) => join(scratch.path, volume);

  beforeEach(async () => {
    scratch = await scratchDir('snapshot-packs');
    root = join(scratch.path, 'repo');
    repository = await localRepository(root, { clock, packTargetSize: 1024 });
    for (const volume of ['a', 'b']) {
      const tree = new TreeBuilder(source(volume));
      for (let i = 0; i < 3; i++) await tree.file(`f${i}.bin`, randomBytes(500_000));
    }
  });
  afterEach(() => scratch.cleanup());

  /** As a GC would, after the backup loaded its index: condemned, and (if `remove`) deleted. */
  async function condemn(packs: string[], remove: boolean): Promise<void> {
    await repository.putObject(tombstoneKey(clock()), { version: 1, createdAt: clock().toISOString(), packs } satisfies Tombstone, { unretained: true });
    if (remove) for (const key of packs) await repository.backend.delete(key);
  }

  it('a pack the backup deduplicated against, condemned and deleted while it ran, fails it', async () => {
    const first = await runBackup(repository, { source: source('a'), volume: 'a', parent: 'none', clock });
    const packs = await keysUnder(repository, PACKS_PREFIX);
    let condemned = false;
    const onCheckpoint = async () => {
      if (condemned) return;
      condemned = true;
      await condemn(packs, true);
    };
    const failure = await runBackup(repository, { source: source('a'), volume: 'a', parent: 'none', clock, onCheckpoint }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(PackMissingError);
    expect(packs).toContain((failure as PackMissingError).packKey);
    expect(await keysUnder(repository, SNAPSHOTS_PREFIX)).toEqual([`${SNAPSHOTS_PREFIX}${first.snapshot.id}`]);
  });

  it('a pack of its own session deleted while it ran fails it', async () => {
    let removed: string | undefined;
    const onCheckpoint = async (checkpoint: { sessionId: string }) => {
      const own = await keysUnder(repository, sessionPacksPrefix(checkpoint.sessionId));
      if (removed || own.length === 0) return;
      removed = own[0]!;
      await repository.backend.delete(removed);
    };
    const failure = await runBackup(repository, { source: source('a'), volume: 'a', parent: 'none', clock, onCheckpoint, checkpointEveryBytes: 1 }).catch((error: unknown) => error);
    expect(removed).toBeDefined();
    expect(failure).toBeInstanceOf(PackMissingError);
    expect((failure as PackMissingError).packKey).toBe(removed);
    expect(await keysUnder(repository, SNAPSHOTS_PREFIX)).toEqual([]);
  });

  it('heads no pack when nothing was condemned meanwhile, and only newly condemned packs it could have used when something was', async () => {
    await runBackup(repository, { source: source('a'), volume: 'a', parent: 'none', clock });
    const packsOfA = await keysUnder(repository, PACKS_PREFIX);
    const b = await runBackup(repository, { source: source('b'), volume: 'b', parent: 'none', clock });
    const packsOfB = await keysUnder(repository, sessionPacksPrefix(b.snapshot.id));

    const quietHeads: string[] = [];
    const quiet = await Repository.open(countingHeads(localBackend(root, { clock }), quietHeads), TEST_SECRET);
    await runBackup(quiet, { source: source('a'), volume: 'a', clock });
    expect(quietHeads.filter((key) => key.startsWith(PACKS_PREFIX))).toEqual([]);

    const heads: string[] = [];
    const watched = await Repository.open(countingHeads(localBackend(root, { clock }), heads), TEST_SECRET);
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
