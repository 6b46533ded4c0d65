import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runBackup } from '../../lib/datamover/backup/backup.js';
import { runRestore } from '../../lib/datamover/restore/restore.js';
import type { Repository } from '../../lib/datamover/repository/repository.js';
import { comparable, digestTree } from './helpers/tree-digest.js';
import { localRepository, scratchDir } from './helpers/repository-fixture.js';
import { pseudoRandomBytes, textBytes, TreeBuilder } from './helpers/tree-builder.js';

const MiB = 1024 * 1024;

/**
 * Worker threads cut whole files (pieces moved to them, tails joined across reads) while the inline
 * sealer cuts on the calling thread. Both must produce the very same chunks, or an incremental backup by
 * one after the other would re-upload everything and resumed runs could diverge.
 */
describe('files cut on sealing workers', () => {
  let scratch: Awaited<ReturnType<typeof scratchDir>>;
  let repository: Repository;
  let source: string;

  beforeEach(async () => {
    scratch = await scratchDir('worker-chunking');
    source = join(scratch.path, 'source');
    repository = await localRepository(join(scratch.path, 'repo'));
  });
  afterEach(() => scratch.cleanup());

  it('cut exactly like the inline chunker, across read boundaries, and restore byte for byte', async () => {
    const tree = new TreeBuilder(source);
    // 8 MiB reads: these cross one, two and three read boundaries, one ends exactly on one.
    await tree.file('big/random-20m.bin', pseudoRandomBytes(20 * MiB + 12345, 'r20'));
    await tree.file('big/exactly-8m.bin', pseudoRandomBytes(8 * MiB, 'r8'));
    await tree.file('big/text-17m.log', textBytes(17 * MiB, 'log'));
    await tree.file('mid/just-above-small.bin', pseudoRandomBytes(64 * 1024 + 1, 'mid'));
    await tree.file('mid/one-chunk.bin', pseudoRandomBytes(300 * 1024, 'one'));
    for (let i = 0; i < 200; i++) await tree.file(`small/f${i}.txt`, textBytes(100 + i * 37, `s${i}`));

    const onWorkers = await runBackup(repository, { source, volume: 'v', parent: 'none', sealWorkers: 2 });
    expect(onWorkers.snapshot.stats.newChunks).toBeGreaterThan(20);
    const inline = await runBackup(repository, { source, volume: 'v', parent: 'none', sealWorkers: 0 });
    expect(inline.snapshot.manifest).toEqual(onWorkers.snapshot.manifest);
    expect(inline.snapshot.stats.newChunks).toBe(0);
    expect(inline.snapshot.stats.bytesRead).toBe(onWorkers.snapshot.stats.bytesRead);

    const target = join(scratch.path, 'restored');
    await runRestore(repository, { snapshotId: onWorkers.snapshot.id, target });
    expect(comparable(await digestTree(target))).toEqual(comparable(await digestTree(source)));
  }, 120_000);
});
