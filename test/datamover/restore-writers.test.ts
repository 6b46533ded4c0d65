import { lstat, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackup } from '../../lib/datamover/backup/backup.js';
import type { Repository } from '../../lib/datamover/repository/repository.js';
import { runRestore } from '../../lib/datamover/restore/restore.js';
import { localRepository, scratchDir } from './helpers/repository-fixture.js';
import { comparable, digestTree } from './helpers/tree-digest.js';
import { pseudoRandomBytes, TreeBuilder } from './helpers/tree-builder.js';

/** Restore hands file creation, chunk opening and writes to writer threads; these pin down what they must keep. */
describe('restore writer threads', () => {
  let scratch: Awaited<ReturnType<typeof scratchDir>>;
  let repository: Repository;
  let source: string;
  let snapshotId: string;

  // One backup serves every case; each restores into its own target.
  beforeAll(async () => {
    scratch = await scratchDir('restore-writers');
    source = join(scratch.path, 'source');
    repository = await localRepository(join(scratch.path, 'repo'));
    const tree = new TreeBuilder(source);
    // Small files in bundles, spread over directories, and files large enough for runs of chunks.
    for (let i = 0; i < 600; i++) await tree.file(`small/d${i % 7}/f${i}.txt`, `content of file ${i}\n`.repeat(1 + (i % 40)), 0o640);
    await tree.file('large/a.bin', pseudoRandomBytes(9_000_000, 'a'));
    await tree.file('large/b.bin', pseudoRandomBytes(300_000, 'b'));
    await tree.hardlink('small/link-to-f3', 'small/d3/f3.txt');
    snapshotId = (await runBackup(repository, { source, volume: 'v' })).snapshot.id;
  });
  afterAll(() => scratch.cleanup());

  it('threads and the calling thread alone restore identical trees', async () => {
    const expected = comparable(await digestTree(source));
    for (const writerThreads of [0, 3]) {
      const target = join(scratch.path, `restored-${writerThreads}`);
      await runRestore(repository, { snapshotId, target, writerThreads });
      expect(comparable(await digestTree(target)), `${writerThreads} writer threads`).toEqual(expected);
    }
  });

  it('into a non-empty target, a symlink left at a file path is replaced, never followed', async () => {
    const target = join(scratch.path, 'restored-over-links');
    const outside = join(scratch.path, 'outside');
    await writeFile(outside, 'must stay');
    await mkdir(join(target, 'small', 'd0'), { recursive: true });
    await mkdir(join(target, 'large'), { recursive: true });
    await symlink(outside, join(target, 'small', 'd0', 'f0.txt'));
    await symlink(outside, join(target, 'large', 'b.bin'));

    await runRestore(repository, { snapshotId, target });

    expect(await readFile(outside, 'utf8')).toBe('must stay');
    expect((await lstat(join(target, 'small', 'd0', 'f0.txt'))).isFile()).toBe(true);
    expect(comparable(await digestTree(target))).toEqual(comparable(await digestTree(source)));
  });

  it('a write that fails on a writer thread fails the restore with its errno code and path', async () => {
    const target = join(scratch.path, 'restored-over-a-directory');
    // A directory where a small file belongs cannot be unlinked: the thread's error must come back intact.
    await mkdir(join(target, 'small', 'd5', 'f5.txt'), { recursive: true });
    const failure = await runRestore(repository, { snapshotId, target }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as NodeJS.ErrnoException).code).toBe('EISDIR');
    expect((failure as NodeJS.ErrnoException).path).toBe(join(target, 'small', 'd5', 'f5.txt'));
  });
});
