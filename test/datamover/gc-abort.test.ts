import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runBackup } from '../../lib/datamover/backup/backup.js';
import { collectGarbage } from '../../lib/datamover/maintenance/gc.js';
import { verifyRepository } from '../../lib/datamover/maintenance/verify.js';
import { INDEX_PREFIX, LOCKS_PREFIX, PACKS_PREFIX, TOMBSTONES_PREFIX } from '../../lib/datamover/repository/layout.js';
import { Repository } from '../../lib/datamover/repository/repository.js';
import type { StorageBackend } from '../../lib/datamover/storage/backend.js';
import { localBackend, localRepository, scratchDir, TEST_SECRET } from './helpers/repository-fixture.js';
import { TreeBuilder } from './helpers/tree-builder.js';

const HOUR = 3_600_000;

async function keysUnder(repository: Repository, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const object of repository.backend.list(prefix)) keys.push(object.key);
  return keys.sort();
}

/** The backend, with `afterDelete` awaited after each deletion. */
function deletionHook(backend: StorageBackend, afterDelete: (key: string) => void): StorageBackend {
  return new Proxy(backend, {
    get(target, property) {
      if (property === 'delete') {
        return async (key: string) => {
          await target.delete(key);
          afterDelete(key);
        };
      }
      const value = Reflect.get(target, property) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

describe('a cancelled GC stops', () => {
  let scratch: Awaited<ReturnType<typeof scratchDir>>;
  let root: string;
  let repository: Repository;
  let now: number;
  const clock = () => new Date(now);
  const advance = (ms: number) => {
    now += ms;
  };

  beforeEach(async () => {
    now = Date.now();
    scratch = await scratchDir('gc-abort');
    root = join(scratch.path, 'repo');
    // Small packs: the forgotten backup leaves several to delete.
    repository = await localRepository(root, { clock, packTargetSize: 1024 });
    await new TreeBuilder(join(scratch.path, 'a')).file('a.bin', randomBytes(3_000_000)).then((tree) => tree.file('b.bin', randomBytes(2_000_000)));
    const { snapshot } = await runBackup(repository, { source: join(scratch.path, 'a'), volume: 'a', parent: 'none', clock });
    await repository.deleteSnapshot(snapshot.id);
    advance(2 * HOUR);
  });
  afterEach(() => scratch.cleanup());

  it('does not start when already cancelled, and leaves no lock behind', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(collectGarbage(repository, { graceMs: HOUR, clock, signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(await keysUnder(repository, LOCKS_PREFIX)).toEqual([]);
    expect(await keysUnder(repository, TOMBSTONES_PREFIX)).toEqual([]);
  });

  it('starts no deletion once cancelled; a later run deletes the rest', async () => {
    await collectGarbage(repository, { graceMs: HOUR, clock });
    advance(2 * HOUR);
    const packs = await keysUnder(repository, PACKS_PREFIX);
    expect(packs.length).toBeGreaterThan(2);

    const controller = new AbortController();
    const deletedPacks: string[] = [];
    const hooked = deletionHook(localBackend(root, { clock }), (key) => {
      if (!key.startsWith(PACKS_PREFIX)) return;
      deletedPacks.push(key);
      controller.abort();
    });
    await expect(collectGarbage(await Repository.open(hooked, TEST_SECRET), { graceMs: HOUR, clock, signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(deletedPacks).toHaveLength(1);
    expect(await keysUnder(repository, PACKS_PREFIX)).toHaveLength(packs.length - 1);
    expect(await keysUnder(repository, LOCKS_PREFIX)).toEqual([]);
    // No index names the deleted pack; the tombstone still names the rest.
    expect((await verifyRepository(repository)).problems).toEqual([]);
    expect(await keysUnder(repository, TOMBSTONES_PREFIX)).toHaveLength(1);

    const rest = await collectGarbage(repository, { graceMs: HOUR, clock });
    expect(await keysUnder(repository, PACKS_PREFIX)).toEqual([]);
    expect(rest.ran).toBe(true);
    expect(await keysUnder(repository, INDEX_PREFIX)).toHaveLength(1);
  });
});
