import { randomBytes } from 'node:crypto';
import { open, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runBackup } from '../../lib/datamover/backup/backup.js';
import { runRestore } from '../../lib/datamover/restore/restore.js';
import type { Repository } from '../../lib/datamover/repository/repository.js';
import { PACKS_PREFIX } from '../../lib/datamover/repository/layout.js';
import { comparable, digestTree } from './helpers/tree-digest.js';
import { localRepository, scratchDir } from './helpers/repository-fixture.js';
import { TreeBuilder } from './helpers/tree-builder.js';

const MiB = 1024 * 1024;

async function countObjects(repository: Repository, prefix: string): Promise<number> {
  let count = 0;
  for await (const _ of repository.backend.list(prefix)) count++;
  return count;
}

describe('incremental backups', () => {
  let scratch: Awaited<ReturnType<typeof scratchDir>>;
  let repository: Repository;
  let source: string;

  beforeEach(async () => {
    scratch = await scratchDir('incremental');
    source = join(scratch.path, 'source');
    repository = await localRepository(join(scratch.path, 'repo'));
  });
  afterEach(() => scratch.cleanup());

  it('a 4 KiB write in the middle of a 64 MiB file uploads at most a couple of chunks', async () => {
    await new TreeBuilder(source).file('db.bin', randomBytes(64 * MiB));
    const first = await runBackup(repository, { source, volume: 'v' });
    const handle = await open(join(source, 'db.bin'), 'r+');
    await handle.write(randomBytes(4096), 0, 4096, 32 * MiB + 12345);
    await handle.close();
    const second = await runBackup(repository, { source, volume: 'v' });
    expect(second.snapshot.parentId).toBe(first.snapshot.id);
    expect(second.snapshot.stats.bytesRead).toBe(64 * MiB);
    // Data chunks of ~1 MiB each plus one small manifest chunk.
    expect(second.snapshot.stats.newBytesStored).toBeLessThan(4 * MiB);
    expect(second.snapshot.stats.newChunks).toBeLessThanOrEqual(3);
  });

  it('does not re-read unchanged files and uploads only what changed', async () => {
    const tree = new TreeBuilder(source);
    for (let i = 0; i < 300; i++) await tree.file(`many/f${i}.txt`, `file number ${i} `.repeat(50));
    await tree.file('big.bin', randomBytes(3 * MiB));
    const first = await runBackup(repository, { source, volume: 'v' });
    expect(first.snapshot.stats.filesRead).toBe(301);

    await writeFile(join(source, 'many/f7.txt'), 'changed');
    await rm(join(source, 'many/f8.txt'));
    await writeFile(join(source, 'many/new.txt'), 'added');
    const second = await runBackup(repository, { source, volume: 'v' });
    expect(second.snapshot.stats.filesRead).toBe(2);
    expect(second.snapshot.stats.bytesRead).toBe('changed'.length + 'added'.length);

    const unchanged = await runBackup(repository, { source, volume: 'v' });
    expect(unchanged.snapshot.stats.filesRead).toBe(0);
    expect(unchanged.snapshot.stats.newChunks).toBe(0);
    expect(unchanged.snapshot.manifest).toEqual(second.snapshot.manifest);

    const target = join(scratch.path, 'restored');
    await runRestore(repository, { snapshotId: unchanged.snapshot.id, target });
    expect(comparable(await digestTree(target))).toEqual(comparable(await digestTree(source)));
  });

  it('batches small files: thousands of files cost a handful of objects', async () => {
    const tree = new TreeBuilder(source);
    for (let i = 0; i < 2000; i++) await tree.file(`d${i % 20}/f${i}`, randomBytes(1 + (i % 3000)));
    const { snapshot } = await runBackup(repository, { source, volume: 'v' });
    expect(snapshot.stats.files).toBe(2000);
    expect(snapshot.stats.newChunks).toBeLessThan(20);
    expect(await countObjects(repository, PACKS_PREFIX)).toBe(1);
  });
});
