import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runBackup } from '../../lib/datamover/backup/backup.js';
import { runRestore } from '../../lib/datamover/restore/restore.js';
import type { Repository } from '../../lib/datamover/repository/repository.js';
import { scanXattrs } from '../../lib/datamover/xattrs/attr-tools.js';
import { comparable, digestTree } from './helpers/tree-digest.js';
import { localRepository, scratchDir } from './helpers/repository-fixture.js';
import { pseudoRandomBytes, TreeBuilder } from './helpers/tree-builder.js';

function setXattr(path: string, name: string, value: Buffer): void {
  execFileSync('setfattr', ['-n', name, '-v', value.length === 0 ? '""' : `0s${value.toString('base64')}`, path]);
}

function attrToolsInstalled(): boolean {
  try {
    execFileSync('getfattr', ['--version'], { stdio: 'ignore' });
    execFileSync('setfattr', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('extended attributes', () => {
  let scratch: Awaited<ReturnType<typeof scratchDir>>;
  let repository: Repository;
  let source: string;

  beforeEach(async () => {
    if (!attrToolsInstalled()) throw new Error('getfattr/setfattr are missing: install the attr package (apt-get install attr)');
    scratch = await scratchDir('xattrs');
    source = join(scratch.path, 'source');
    repository = await localRepository(join(scratch.path, 'repo'));
  });
  afterEach(() => scratch?.cleanup());

  it('round trip on files, directories and awkward names; changes to attributes alone are picked up', async () => {
    const tree = new TreeBuilder(source);
    const awkward = 'dir/ünï cødé = \\ back\nslash.txt';
    await tree.file('plain.txt', 'no attributes');
    await tree.file('dir/big.bin', pseudoRandomBytes(300_000, 'big'));
    await tree.file(awkward, 'x');
    await tree.symlink('link', 'plain.txt');
    setXattr(join(source, 'dir/big.bin'), 'user.checksum', Buffer.from('sha256:abc'));
    setXattr(join(source, 'dir/big.bin'), 'user.binary', Buffer.from([0, 1, 2, 255, 10, 61]));
    setXattr(join(source, 'dir'), 'user.owner-team', Buffer.from('storage'));
    setXattr(join(source, awkward), 'user.empty', Buffer.alloc(0));
    setXattr(join(source, awkward), 'user.big', pseudoRandomBytes(3000, 'value'));
    const expected = await scanXattrs(source);
    expect([...expected!.keys()].sort()).toEqual(['dir', 'dir/big.bin', awkward].sort());
    expect(expected!.get(awkward)!['user.empty']).toBe('');

    const first = await runBackup(repository, { source, volume: 'v' });
    const target = join(scratch.path, 'restored');
    await runRestore(repository, { snapshotId: first.snapshot.id, target });
    expect(await scanXattrs(target)).toEqual(expected);
    // Setting attributes last leaves the restored times (and contents) alone.
    expect(comparable(await digestTree(target))).toEqual(comparable(await digestTree(source)));

    // Only ctime changes: the file is not re-read, but its new attribute is recorded.
    setXattr(join(source, 'dir/big.bin'), 'user.checksum', Buffer.from('sha256:def'));
    const second = await runBackup(repository, { source, volume: 'v' });
    expect(second.snapshot.stats.filesRead).toBe(0);
    const again = join(scratch.path, 'restored-again');
    await runRestore(repository, { snapshotId: second.snapshot.id, target: again, paths: ['dir/big.bin'] });
    expect((await scanXattrs(again))!.get('dir/big.bin')).toEqual({ 'user.binary': Buffer.from([0, 1, 2, 255, 10, 61]).toString('base64'), 'user.checksum': Buffer.from('sha256:def').toString('base64') });

    const without = join(scratch.path, 'restored-without');
    await runRestore(repository, { snapshotId: second.snapshot.id, target: without, xattrs: false });
    expect((await scanXattrs(without))!.size).toBe(0);
  }, 60_000);
});
