import { randomBytes } from 'node:crypto';
import { open, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runBackup } from '../../lib/datamover/backup/backup.js';
import type { Repository } from '../../lib/datamover/repository/repository.js';
import { runRestore } from '../../lib/datamover/restore/restore.js';
import { localRepository, scratchDir } from './helpers/repository-fixture.js';
import { comparable, digestTree } from './helpers/tree-digest.js';
import { TreeBuilder } from './helpers/tree-builder.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

describe('sparse files and block volumes', () => {
  let scratch: Awaited<ReturnType<typeof scratchDir>>;
  let repository: Repository;

  beforeEach(async () => {
    scratch = await scratchDir('sparse');
    repository = await localRepository(join(scratch.path, 'repo'));
  });
  afterEach(() => scratch.cleanup());

  it('a 5 GiB sparse file round-trips, stays sparse and stores only its data', async () => {
    const source = join(scratch.path, 'source');
    await new TreeBuilder(source).sparse('disk.img', 5 * GiB, [
      { offset: 0, bytes: randomBytes(300_000) },
      { offset: 2 * GiB + 4096, bytes: randomBytes(1_000_000) },
      { offset: 5 * GiB - 65536, bytes: randomBytes(65536) },
    ]);
    const { snapshot } = await runBackup(repository, { source, volume: 'v' });
    expect(snapshot.stats.newBytesStored).toBeLessThan(4 * MiB);
    const target = join(scratch.path, 'out');
    await runRestore(repository, { snapshotId: snapshot.id, target });
    const restored = await stat(join(target, 'disk.img'));
    expect(restored.size).toBe(5 * GiB);
    expect(restored.blocks * 512).toBeLessThan(16 * MiB);
    const sourceHandle = await open(join(source, 'disk.img'));
    const targetHandle = await open(join(target, 'disk.img'));
    for (const offset of [0, 2 * GiB, 5 * GiB - 2 * MiB]) {
      const a = Buffer.alloc(2 * MiB);
      const b = Buffer.alloc(2 * MiB);
      await sourceHandle.read(a, 0, a.length, offset);
      await targetHandle.read(b, 0, b.length, offset);
      expect(b.equals(a)).toBe(true);
    }
    await sourceHandle.close();
    await targetHandle.close();
  }, 180_000);

  it('block mode backs up an image and writes it back in place over changed contents', async () => {
    const image = join(scratch.path, 'volume.img');
    const original = Buffer.concat([randomBytes(3 * MiB), Buffer.alloc(2 * MiB), randomBytes(MiB)]);
    await writeFile(image, original);
    const { snapshot } = await runBackup(repository, { source: image, volume: 'block-pv', volumeMode: 'block' });
    const scribbled = Buffer.from(original);
    randomBytes(3 * MiB).copy(scribbled, 2 * MiB);
    await writeFile(image, scribbled);
    await runRestore(repository, { snapshotId: snapshot.id, target: image });
    expect((await readFile(image)).equals(original)).toBe(true);
  });

  it('restores a tree of 20k entries in 500 directories', async () => {
    const source = join(scratch.path, 'source');
    const tree = new TreeBuilder(source);
    for (let i = 0; i < 20_000; i++) await tree.file(`d${i % 500}/f${i}`, `content ${i}`);
    const { snapshot } = await runBackup(repository, { source, volume: 'many' });
    const target = join(scratch.path, 'out');
    await runRestore(repository, { snapshotId: snapshot.id, target });
    expect(comparable(await digestTree(target))).toEqual(comparable(await digestTree(source)));
  }, 180_000);
});
