import { chown } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runBackup } from '../../lib/datamover/backup/backup.js';
import { runRestore } from '../../lib/datamover/restore/restore.js';
import type { Repository } from '../../lib/datamover/repository/repository.js';
import { comparable, digestTree } from './helpers/tree-digest.js';
import { localRepository, scratchDir } from './helpers/repository-fixture.js';
import { pseudoRandomBytes, textBytes, TreeBuilder } from './helpers/tree-builder.js';

const isRoot = process.getuid?.() === 0;

describe('backup then restore reproduces the tree byte for byte', () => {
  let scratch: Awaited<ReturnType<typeof scratchDir>>;
  let repository: Repository;
  let source: string;

  beforeEach(async () => {
    scratch = await scratchDir('roundtrip');
    source = join(scratch.path, 'source');
    repository = await localRepository(join(scratch.path, 'repo'));
  });
  afterEach(() => scratch.cleanup());

  it('restores files, empty files, modes, times, owners, symlinks, hard links, unicode and long names, deep trees', async () => {
    const tree = new TreeBuilder(source);
    await tree.file('empty', '');
    await tree.file('small.txt', 'hello', 0o600, new Date('2021-05-06T07:08:09.123Z'));
    await tree.file('exec.sh', '#!/bin/sh\necho hi\n', 0o755);
    await tree.file('dir/text.log', textBytes(3_000_000, 'log'));
    await tree.file('dir/random.bin', pseudoRandomBytes(5_000_000, 'rand'));
    await tree.file('dir/medium.bin', pseudoRandomBytes(200_000, 'medium'));
    await tree.file('ünïcødé/日本語ファイル.txt', 'unicode content');
    await tree.file(`long/${'n'.repeat(255)}`, 'long name');
    await tree.file(`${Array.from({ length: 40 }, (_, i) => `d${i}`).join('/')}/leaf`, 'deep');
    await tree.symlink('link-to-small', 'small.txt');
    await tree.symlink('dangling', '../nowhere/at/all');
    await tree.hardlink('dir/hard-a', 'dir/medium.bin');
    await tree.hardlink('hard-b', 'dir/medium.bin');
    await tree.file('special/suid', 'x', 0o4755);
    await tree.dir('readonly-dir', 0o555);
    if (isRoot) await chown(join(source, 'small.txt'), 1234, 5678);
    const before = await digestTree(source);

    const { snapshot } = await runBackup(repository, { source, volume: 'ns/pvc-a' });
    const target = join(scratch.path, 'restored');
    await runRestore(repository, { snapshotId: snapshot.id, target });

    expect(comparable(await digestTree(target))).toEqual(comparable(before));
    expect(snapshot.stats.files).toBe(12);
  });

  it('restores only the selected paths', async () => {
    const tree = new TreeBuilder(source);
    await tree.file('keep/a.txt', 'a');
    await tree.file('keep/sub/b.txt', 'b');
    await tree.file('drop/c.txt', 'c');
    const { snapshot } = await runBackup(repository, { source, volume: 'v' });
    const target = join(scratch.path, 'restored');
    await runRestore(repository, { snapshotId: snapshot.id, target, paths: ['keep/sub'] });
    const restored = await digestTree(target);
    expect([...restored.keys()].sort()).toEqual(['.', 'keep', 'keep/sub', 'keep/sub/b.txt']);
  });
});
