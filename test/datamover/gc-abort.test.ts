import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { runBackup } from '../../lib/datamover/backup/backup.js';
import { collectGarbage } from '../../lib/datamover/maintenance/gc.js';
import { verifyRepository } from '../../lib/datamover/maintenance/verify.js';
import { INDEX_PREFIX, LOCKS_PREFIX, PACKS_PREFIX, TOMBSTONES_PREFIX } from '../../lib/datamover/repository/layout.js';
import { Repository } from '../../lib/datamover/repository/repository.js';
import { localBackend, TEST_SECRET } from './helpers/repository-fixture.js';
import { keysUnder, repositoryScene, withOverrides } from './helpers/repository-scene.js';
import { TreeBuilder } from './helpers/tree-builder.js';

const HOUR = 3_600_000;

describe('a cancelled GC stops', () => {
  // Small packs: the forgotten backup leaves several to delete.
  const scene = repositoryScene('gc-abort', { packTargetSize: 1024 });
  const { clock, advance } = scene;

  beforeEach(async () => {
    await new TreeBuilder(join(scene.path, 'a')).file('a.bin', randomBytes(3_000_000)).then((tree) => tree.file('b.bin', randomBytes(2_000_000)));
    const { snapshot } = await runBackup(scene.repository, { source: join(scene.path, 'a'), volume: 'a', parent: 'none', clock });
    await scene.repository.deleteSnapshot(snapshot.id);
    advance(2 * HOUR);
  });

  it('does not start when already cancelled, and leaves no lock behind', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(collectGarbage(scene.repository, { graceMs: HOUR, clock, signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(await keysUnder(scene.repository, LOCKS_PREFIX)).toEqual([]);
    expect(await keysUnder(scene.repository, TOMBSTONES_PREFIX)).toEqual([]);
  });

  it('starts no deletion once cancelled; a later run deletes the rest', async () => {
    await collectGarbage(scene.repository, { graceMs: HOUR, clock });
    advance(2 * HOUR);
    const packs = await keysUnder(scene.repository, PACKS_PREFIX);
    expect(packs.length).toBeGreaterThan(2);

    const controller = new AbortController();
    const deletedPacks: string[] = [];
    const backend = localBackend(scene.root, { clock });
    const hooked = withOverrides(backend, {
      delete: async (key) => {
        await backend.delete(key);
        if (!key.startsWith(PACKS_PREFIX)) return;
        deletedPacks.push(key);
        controller.abort();
      },
    });
    await expect(collectGarbage(await Repository.open(hooked, TEST_SECRET), { graceMs: HOUR, clock, signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(deletedPacks).toHaveLength(1);
    expect(await keysUnder(scene.repository, PACKS_PREFIX)).toHaveLength(packs.length - 1);
    expect(await keysUnder(scene.repository, LOCKS_PREFIX)).toEqual([]);
    // No index names the deleted pack; the tombstone still names the rest.
    expect((await verifyRepository(scene.repository)).problems).toEqual([]);
    expect(await keysUnder(scene.repository, TOMBSTONES_PREFIX)).toHaveLength(1);

    const rest = await collectGarbage(scene.repository, { graceMs: HOUR, clock });
    expect(await keysUnder(scene.repository, PACKS_PREFIX)).toEqual([]);
    expect(rest.ran).toBe(true);
    // Every chunk went with its pack: consolidation leaves no index object, not even an empty one.
    expect(await keysUnder(scene.repository, INDEX_PREFIX)).toEqual([]);
  });
});
