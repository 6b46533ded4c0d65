import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../proto/repository/index.js';
import { runBackup } from '../../lib/datamover/backup/backup.js';
import { CorruptObjectError } from '../../lib/datamover/errors.js';
import { collectGarbage } from '../../lib/datamover/maintenance/gc.js';
import { INDEX_PREFIX, snapshotKey } from '../../lib/datamover/repository/layout.js';
import type { Repository } from '../../lib/datamover/repository/repository.js';
import { localRepository, scratchDir } from './helpers/repository-fixture.js';
import { TreeBuilder } from './helpers/tree-builder.js';

/** Small packs: each backup spreads over several, so damage to one leaves the others as they were. */
const PACK_TARGET_SIZE = 1024 * 1024;

async function keysUnder(repository: Repository, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const object of repository.backend.list(prefix)) keys.push(object.key);
  return keys.sort();
}

describe('verify finds what a restore would miss; repair gets backups going again', () => {
  let scratch: Awaited<ReturnType<typeof scratchDir>>;
  let root: string;
  let repository: Repository;
  /** Snapshot id → the tree it recorded. */
  const sources = new Map<string, string>();
  let snapshots: Record<'a' | 'b' | 'c', Snapshot>;

  const objectPath = (key: string) => join(root, ...key.split('/'));
  const flipByte = async (key: string, offset: number) => {
    const bytes = await readFile(objectPath(key));
    bytes[offset]! ^= 0xff;
    await writeFile(objectPath(key), bytes);
  };
  const backup = async (volume: string) => {
    const source = join(scratch.path, volume);
    const { snapshot } = await runBackup(repository, { source, volume, parent: 'none' });
    sources.set(snapshot.id, source);
    return snapshot;
  };
  beforeEach(async () => {
    sources.clear();
    scratch = await scratchDir('verify-repair');
    root = join(scratch.path, 'repo');
    repository = await localRepository(root, { packTargetSize: PACK_TARGET_SIZE });
    const shared = randomBytes(1_500_000);
    await new TreeBuilder(join(scratch.path, 'a')).file('data/a.bin', shared).then((tree) => tree.file('notes/a.txt', 'a'));
    await new TreeBuilder(join(scratch.path, 'b')).file('b.bin', randomBytes(1_500_000)).then((tree) => tree.file('b.txt', 'b'));
    // Shares a.bin's content, so its snapshot needs a's packs.
    await new TreeBuilder(join(scratch.path, 'c')).file('copy-of-a.bin', shared).then((tree) => tree.file('c.txt', 'c'));
    snapshots = { a: await backup('a'), b: await backup('b'), c: await backup('c') };
  });
  afterEach(() => scratch.cleanup());

  describe('a corrupt index object', () => {
    it('fails a backup with an error that says to run repair', async () => {
      const [indexKey] = await keysUnder(repository, INDEX_PREFIX);
      await flipByte(indexKey!, 20);
      const failure = await backup('a').catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(CorruptObjectError);
      expect(failure).toMatchObject({ code: 'REPOSITORY_OBJECT_CORRUPT', objectKey: indexKey, message: expect.stringMatching(/`repair`/) });
    });
  });

  describe('a corrupt snapshot object', () => {
    it('fails listing with an error that says to run repair', async () => {
      await flipByte(snapshotKey(snapshots.b.id), 20);
      await expect(repository.listSnapshots()).rejects.toMatchObject({ code: 'REPOSITORY_OBJECT_CORRUPT', message: expect.stringMatching(/`repair`/) });
      await expect(collectGarbage(repository)).rejects.toBeInstanceOf(CorruptObjectError);
    });
  });
});
