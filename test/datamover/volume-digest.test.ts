import { execFileSync } from 'node:child_process';
import { appendFile, chmod, link, open, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManifestEntry } from '../../proto/repository/index.js';
import { runBackup } from '../../lib/datamover/backup/backup.js';
import { digestLine, TreeDigest, type DigestOptions } from '../../lib/datamover/digest/entry-digest.js';
import { compareVolumeWithSnapshot } from '../../lib/datamover/digest/volume-comparison.js';
import type { Repository } from '../../lib/datamover/repository/repository.js';
import { runRestore } from '../../lib/datamover/restore/restore.js';
import { localRepository, scratchDir } from './helpers/repository-fixture.js';
import { pseudoRandomBytes, TreeBuilder } from './helpers/tree-builder.js';

const FILESYSTEM: DigestOptions = { volumeMode: 'filesystem', xattrs: true };
const MiB = 1024 * 1024;

function digestOf(entries: { entry: ManifestEntry; content?: string }[]): string {
  const digest = new TreeDigest(FILESYSTEM);
  for (const { entry, content } of entries) digest.add(digestLine(entry, content, FILESYSTEM));
  return digest.hex();
}

describe('the volume digest of a tree', () => {
  const file: ManifestEntry = { path: 'data/a.bin', type: 'file', mode: 0o640, uid: 999, gid: 999, mtimeNs: '1', size: 3, ino: '12', xattrs: { 'user.b': 'Yg==', 'user.a': 'YQ==' } };
  const tree = (changed: Partial<ManifestEntry> = {}, content = 'c0ffee') => [
    { entry: { path: '.', type: 'dir', mode: 0o755, uid: 0, gid: 0, mtimeNs: '1', size: 0 } as ManifestEntry },
    { entry: { ...file, ...changed }, content },
  ];

  it('is the same for the same tree, whatever the times, inode numbers and order of attributes', () => {
    expect(digestOf(tree())).toBe(digestOf(tree()));
    expect(digestOf(tree({ mtimeNs: '99', ino: '77', xattrs: { 'user.a': 'YQ==', 'user.b': 'Yg==' } }))).toBe(digestOf(tree()));
  });

  it('changes with the mode, the owner, the content, the size, an attribute, a path or a link target', () => {
    const digests = [
      digestOf(tree()),
      digestOf(tree({ mode: 0o644 })),
      digestOf(tree({ uid: 1000 })),
      digestOf(tree({ gid: 1000 })),
      digestOf(tree({}, 'deadbeef')),
      digestOf(tree({ size: 4 })),
      digestOf(tree({ xattrs: { 'user.a': 'YQ==' } })),
      digestOf(tree({ xattrs: { 'user.a': 'YQ==', 'user.b': 'Yw==' } })),
      digestOf(tree({ path: 'data/b.bin' })),
      digestOf(tree({ type: 'symlink', target: 'x' })),
      digestOf(tree({ type: 'symlink', target: 'y' })),
    ];
    expect(new Set(digests).size).toBe(digests.length);
  });

  it('leaves extended attributes out of both sides when one cannot read them', () => {
    const options: DigestOptions = { volumeMode: 'filesystem', xattrs: false };
    expect(digestLine({ ...file, xattrs: { 'user.a': 'YQ==' } }, 'c0ffee', options)).toBe(digestLine({ ...file, xattrs: {} }, 'c0ffee', options));
  });
});

describe('comparing a restored volume with its snapshot in the repository', () => {
  let scratch: Awaited<ReturnType<typeof scratchDir>>;
  let repository: Repository;
  let snapshotId: string;
  let restored: string;

  beforeAll(async () => {
    scratch = await scratchDir('volume-digest');
    repository = await localRepository(join(scratch.path, 'repo'));
    const source = join(scratch.path, 'source');
    const tree = new TreeBuilder(source);
    await tree.file('app/config.yaml', 'replicas: 3\n', 0o600);
    await tree.file('app/data/big.bin', pseudoRandomBytes(3 * MiB, 'big'));
    for (let i = 0; i < 40; i++) await tree.file(`app/small/f${i}.txt`, `small file ${i}\n`);
    await tree.symlink('current', 'app/config.yaml');
    await link(join(source, 'app/data/big.bin'), join(source, 'app/data/big-again.bin'));
    // Sparse: a hole of 4 MiB between two written MiBs reads as zeros on both sides.
    const sparse = await open(join(source, 'app/data/sparse.img'), 'w');
    await sparse.write(pseudoRandomBytes(MiB, 'head'), 0, MiB, 0);
    await sparse.write(pseudoRandomBytes(MiB, 'tail'), 0, MiB, 5 * MiB);
    await sparse.close();
    execFileSync('setfattr', ['-n', 'user.team', '-v', 'storage', join(source, 'app/config.yaml')]);
    snapshotId = (await runBackup(repository, { source, volume: 'ns/claim' })).snapshot.id;
    restored = join(scratch.path, 'restored');
    await runRestore(repository, { snapshotId, target: restored });
  }, 60_000);
  afterAll(() => scratch?.cleanup());

  it('finds a faithful restore equal: both digests the same, every entry and byte read on each side', async () => {
    const comparison = await compareVolumeWithSnapshot(repository, { snapshotId, dataPath: restored });
    expect(comparison.differences).toEqual([]);
    expect(comparison.matched).toBe(true);
    expect(comparison.volumeDigest).toBe(comparison.pointDigest);
    expect(comparison.xattrsCompared).toBe(true);
    // The root, app, app/data, app/small, 3 + 40 files, a hard link and a symlink.
    expect(comparison.volume.entries).toBe(49);
    expect(comparison.point.entries).toBe(49);
    expect(comparison.volume.bytes).toBe(comparison.point.bytes);
    expect(comparison.point.bytes).toBeGreaterThan(9 * MiB);
  });

  it('names the paths of a changed byte, mode, attribute, an added and a removed file, and counts them all', async () => {
    const big = await open(join(restored, 'app/data/big.bin'), 'r+');
    await big.write(Buffer.from([0x55]), 0, 1, 2 * MiB + 17);
    await big.close();
    await chmod(join(restored, 'app/config.yaml'), 0o644);
    execFileSync('setfattr', ['-n', 'user.team', '-v', 'compute', join(restored, 'app/config.yaml')]);
    await rm(join(restored, 'app/small/f7.txt'));
    await writeFile(join(restored, 'app/small/new.txt'), 'not backed up');
    await appendFile(join(restored, 'app/small/f9.txt'), 'x');

    const comparison = await compareVolumeWithSnapshot(repository, { snapshotId, dataPath: restored, maxDifferences: 4 });
    expect(comparison.matched).toBe(false);
    expect(comparison.volumeDigest).not.toBe(comparison.pointDigest);
    expect(comparison.differencesFound).toBe(5);
    expect(comparison.differences).toEqual([
      { path: 'app/config.yaml', message: 'differs in mode 0644 where the recovery point has 0600, extended attributes' },
      // The two names are one inode: the first in walk order holds the content.
      { path: 'app/data/big-again.bin', message: 'differs in content' },
      { path: 'app/small/f7.txt', message: 'in the recovery point, missing from the volume' },
      { path: 'app/small/f9.txt', message: 'differs in size 14 where the recovery point has 13, content' },
    ]);
  });
});

describe('comparing a block volume', () => {
  it('digests the device content over the size of the copy, and finds one changed byte', async () => {
    const scratch = await scratchDir('block-digest');
    try {
      const repository = await localRepository(join(scratch.path, 'repo'));
      const device = join(scratch.path, 'device.img');
      await writeFile(device, Buffer.concat([pseudoRandomBytes(2 * MiB, 'block'), Buffer.alloc(MiB)]));
      const { snapshot } = await runBackup(repository, { source: device, volume: 'ns/raw', volumeMode: 'block' });
      // A new device larger than the copy: the tail beyond it is not the copy's.
      await truncate(device, 4 * MiB);
      const equal = await compareVolumeWithSnapshot(repository, { snapshotId: snapshot.id, dataPath: device });
      expect([equal.matched, equal.differences, equal.volume.bytes]).toEqual([true, [], 3 * MiB]);

      const handle = await open(device, 'r+');
      await handle.write(Buffer.from([1]), 0, 1, MiB);
      await handle.close();
      const changed = await compareVolumeWithSnapshot(repository, { snapshotId: snapshot.id, dataPath: device });
      expect([changed.matched, changed.differences]).toEqual([false, [{ path: '.', message: 'differs in content' }]]);
    } finally {
      await scratch.cleanup();
    }
  });
});
