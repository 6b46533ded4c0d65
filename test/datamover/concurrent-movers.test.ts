import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runBackup } from '../../lib/datamover/backup/backup.js';
import { verifyRepository } from '../../lib/datamover/maintenance/verify.js';
import { Repository } from '../../lib/datamover/repository/repository.js';
import { runRestore } from '../../lib/datamover/restore/restore.js';
import { LocalBackend } from '../../lib/datamover/storage/local-backend.js';
import { localRepository, scratchDir, TEST_SECRET } from './helpers/repository-fixture.js';
import { comparable, digestTree } from './helpers/tree-digest.js';
import { TreeBuilder } from './helpers/tree-builder.js';

describe('several movers sharing one repository', () => {
  let scratch: Awaited<ReturnType<typeof scratchDir>>;

  beforeEach(async () => {
    scratch = await scratchDir('movers');
  });
  afterEach(() => scratch.cleanup());

  it('back up different volumes with shared content at the same time, and both restore', async () => {
    const root = join(scratch.path, 'repo');
    await localRepository(root);
    const shared = randomBytes(6_000_000);
    const sources = ['pv-1', 'pv-2', 'pv-3'].map((name) => join(scratch.path, name));
    for (const [i, source] of sources.entries()) {
      const tree = new TreeBuilder(source);
      await tree.file('shared.bin', shared);
      await tree.file('own.bin', randomBytes(3_000_000));
      for (let f = 0; f < 300; f++) await tree.file(`small/${f}`, `volume ${i} file ${f}`);
    }
    // Separate Repository instances, as separate pods would have.
    const movers = await Promise.all(sources.map(() => Repository.open(new LocalBackend(root), TEST_SECRET)));
    const results = await Promise.all(movers.map((repository, i) => runBackup(repository, { source: sources[i]!, volume: `pv-${i}`, concurrentFiles: 2 })));

    const checker = await Repository.open(new LocalBackend(root), TEST_SECRET);
    expect((await verifyRepository(checker)).problems).toEqual([]);
    expect(new Set(results.map((result) => result.snapshot.id)).size).toBe(3);
    for (const [i, result] of results.entries()) {
      const target = join(scratch.path, `restored-${i}`);
      await runRestore(checker, { snapshotId: result.snapshot.id, target });
      expect(comparable(await digestTree(target))).toEqual(comparable(await digestTree(sources[i]!)));
    }
  });

  it('only one of two racing inits creates the repository', async () => {
    const root = join(scratch.path, 'race');
    const outcomes = await Promise.allSettled([localRepository(root), localRepository(root)]);
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
  });
});
