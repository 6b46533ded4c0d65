import { randomBytes } from 'node:crypto';
import { readdir, symlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBackup } from '../../lib/datamover/backup/backup.js';
import { RepositoryLinkError } from '../../lib/datamover/errors.js';
import { collectGarbage } from '../../lib/datamover/maintenance/gc.js';
import { PACKS_PREFIX } from '../../lib/datamover/repository/layout.js';
import { Repository } from '../../lib/datamover/repository/repository.js';
import { LocalBackend } from '../../lib/datamover/storage/local-backend.js';
import { localBackend, localRepository, TEST_SECRET } from './helpers/repository-fixture.js';
import { manualClock, scratchDirPerTest } from './helpers/repository-scene.js';
import { TreeBuilder } from './helpers/tree-builder.js';

const HOUR = 3_600_000;

async function filesUnder(directory: string): Promise<string[]> {
  return (await readdir(directory, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

/**
 * Two organizations' filesystem targets under one root. B's mover pods write B's directory, so B can put a
 * symbolic link there: `packs` pointing at A's packs. The control plane's GC of B's repository must not
 * condemn and delete what lies behind it.
 */
describe('a directory repository with a symbolic link placed in it', () => {
  const scratch = scratchDirPerTest('repository-links');
  const { clock, advance } = manualClock();

  async function twoRepositories(): Promise<{ packsOfA: string; rootOfB: string; snapshotOfA: string }> {
    const rootOfA = join(scratch.path, 'org-a', 'repository');
    const rootOfB = join(scratch.path, 'org-b', 'repository');
    await new TreeBuilder(join(scratch.path, 'data')).file('db.bin', randomBytes(300_000));
    const a = await localRepository(rootOfA, { clock });
    const { snapshot } = await runBackup(a, { source: join(scratch.path, 'data'), volume: 'db', parent: 'none', clock });
    // A's data is a day old, well past any grace period, by the clock GC judges ages with.
    const dayAgo = new Date(Date.now() - 24 * HOUR);
    for (const file of await filesUnder(join(rootOfA, PACKS_PREFIX))) await utimes(file, dayAgo, dayAgo);
    await localRepository(rootOfB, { clock });
    await symlink(join(rootOfA, PACKS_PREFIX), join(rootOfB, PACKS_PREFIX.replace(/\/$/, '')));
    return { packsOfA: join(rootOfA, PACKS_PREFIX), rootOfB, snapshotOfA: snapshot.id };
  }

  /** Passes far enough apart that what no snapshot of B references is condemned, then deleted once the grace is over. */
  async function collectRepeatedly(root: string, refuseLinks: boolean): Promise<void> {
    const repository = await Repository.open(localBackend(root, { clock, refuseLinks }), TEST_SECRET);
    for (let pass = 0; pass < 3; pass++) {
      advance(2 * HOUR);
      await collectGarbage(repository, { graceMs: HOUR, clock });
    }
  }

  it('is followed by a backend that does not refuse links: GC of B deletes A\'s packs (the attack)', async () => {
    const { packsOfA, rootOfB } = await twoRepositories();
    expect((await filesUnder(packsOfA)).length).toBeGreaterThan(0);
    await collectRepeatedly(rootOfB, false);
    expect(await filesUnder(packsOfA), JSON.stringify(await filesUnder(packsOfA))).toEqual([]);
  });

  it('is refused by a backend that refuses links, as the control plane opens targets: A\'s packs and snapshot stay whole', async () => {
    const { packsOfA, rootOfB, snapshotOfA } = await twoRepositories();
    const before = (await filesUnder(packsOfA)).sort();
    await expect(collectRepeatedly(rootOfB, true)).rejects.toBeInstanceOf(RepositoryLinkError);
    expect((await filesUnder(packsOfA)).sort()).toEqual(before);
    const a = await Repository.open(new LocalBackend(join(packsOfA, '..')), TEST_SECRET);
    expect((await a.listSnapshots()).map((s) => s.id)).toContain(snapshotOfA);
  });
});
