import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBackup } from '../../lib/datamover/backup/backup.js';
import { RepositoryExistsError } from '../../lib/datamover/errors.js';
import { Repository } from '../../lib/datamover/repository/repository.js';
import { runRestore } from '../../lib/datamover/restore/restore.js';
import type { PutOptions } from '../../lib/datamover/storage/backend.js';
import { LocalBackend } from '../../lib/datamover/storage/local-backend.js';
import { seededBytes } from '../fixtures/volume-data.js';
import { comparable, digestTree } from './helpers/tree-digest.js';
import { TEST_KDF_COST, TEST_SECRET } from './helpers/repository-fixture.js';
import { scratchDirPerTest } from './helpers/repository-scene.js';
import { TreeBuilder } from './helpers/tree-builder.js';

/** A store that takes If-None-Match and overwrites anyway, a little slowly (as some S3-compatible servers do). */
class IgnoresIfAbsent extends LocalBackend {
  override async put(key: string, body: Uint8Array, options: PutOptions = {}): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 30));
    await super.put(key, body, { ...options, ifAbsent: false });
  }
}

class ReadCounting extends LocalBackend {
  reads = 0;
  override get(...args: Parameters<LocalBackend['get']>): ReturnType<LocalBackend['get']> {
    this.reads++;
    return super.get(...args);
  }
}

/** What a first backup does: open the repository, or create it when there is none. */
async function openOrInit(backend: LocalBackend): Promise<Repository> {
  try {
    return await Repository.open(backend, TEST_SECRET);
  } catch {
    try {
      return await Repository.init(backend, TEST_SECRET, { kdfCost: TEST_KDF_COST, creationSettleMs: 300 });
    } catch (error) {
      if (error instanceof RepositoryExistsError) return Repository.open(backend, TEST_SECRET);
      throw error;
    }
  }
}

describe('creating a repository on a store that ignores If-None-Match', () => {
  const scratch = scratchDirPerTest('header-race');

  it('ends with one header: two first backups racing both write data the repository can read back', async () => {
    const root = join(scratch.path, 'repo');
    const sources = ['a', 'b'].map((name) => join(scratch.path, name));
    for (const [i, source] of sources.entries()) await new TreeBuilder(source).file('data.bin', seededBytes(`race-${i}`, 3_000_000));

    const [first, second] = await Promise.all([openOrInit(new IgnoresIfAbsent(root)), openOrInit(new IgnoresIfAbsent(root))]);
    expect(first!.header.repositoryId).toBe(second!.header.repositoryId);
    const snapshots = await Promise.all([first!, second!].map((repository, i) => runBackup(repository, { source: sources[i]!, volume: `v${i}`, sealWorkers: 0 })));

    const reopened = await Repository.open(new LocalBackend(root), TEST_SECRET);
    for (const [i, { snapshot }] of snapshots.entries()) {
      const target = join(scratch.path, `restored-${i}`);
      await runRestore(reopened, { snapshotId: snapshot.id, target });
      expect(comparable(await digestTree(target))).toEqual(comparable(await digestTree(sources[i]!)));
    }
  });

  it('does not wait and read back on a store that honours it', async () => {
    const backend = new ReadCounting(join(scratch.path, 'honest'));
    await Repository.init(backend, TEST_SECRET, { kdfCost: TEST_KDF_COST });
    expect(backend.reads).toBe(0);
    await expect(Repository.init(backend, TEST_SECRET, { kdfCost: TEST_KDF_COST })).rejects.toBeInstanceOf(RepositoryExistsError);
  });
});
