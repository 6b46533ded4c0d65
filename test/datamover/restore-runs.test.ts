import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runBackup } from '../../lib/datamover/backup/backup.js';
import { PACKS_PREFIX } from '../../lib/datamover/repository/layout.js';
import { Repository } from '../../lib/datamover/repository/repository.js';
import { runRestore } from '../../lib/datamover/restore/restore.js';
import type { ByteRange } from '../../lib/datamover/storage/backend.js';
import { LocalBackend } from '../../lib/datamover/storage/local-backend.js';
import { comparable, digestTree } from './helpers/tree-digest.js';
import { localRepository, scratchDir, TEST_SECRET } from './helpers/repository-fixture.js';
import { pseudoRandomBytes, TreeBuilder } from './helpers/tree-builder.js';

const MiB = 1024 * 1024;

/** Counts ranged reads of packs: what a restore costs in requests on S3. */
class CountingBackend extends LocalBackend {
  packReads = 0;
  override get(key: string, range?: ByteRange): Promise<Buffer> {
    if (key.startsWith(PACKS_PREFIX)) this.packReads++;
    return super.get(key, range);
  }
}

describe('restore reads chunks stored back to back together', () => {
  let scratch: Awaited<ReturnType<typeof scratchDir>>;

  beforeEach(async () => {
    scratch = await scratchDir('restore-runs');
  });
  afterEach(() => scratch.cleanup());

  it('a 24 MiB file costs one read per 4 MiB run, not one per chunk, and restores byte for byte', async () => {
    const source = join(scratch.path, 'source');
    await new TreeBuilder(source).file('big.bin', pseudoRandomBytes(24 * MiB, 'runs'));
    const root = join(scratch.path, 'repo');
    const written = await localRepository(root);
    const backup = await runBackup(written, { source, volume: 'v', sealWorkers: 0 });
    const dataChunks = backup.snapshot.stats.newChunks - backup.snapshot.manifest.length;
    expect(dataChunks).toBeGreaterThanOrEqual(12);

    const backend = new CountingBackend(root);
    const repository = await Repository.open(backend, TEST_SECRET);
    const target = join(scratch.path, 'restored');
    await runRestore(repository, { snapshotId: backup.snapshot.id, target });
    expect(comparable(await digestTree(target))).toEqual(comparable(await digestTree(source)));
    // Manifest chunks are read one by one; data runs are at most 4 MiB (plus one chunk of slack per pack boundary).
    expect(backend.packReads - backup.snapshot.manifest.length).toBeLessThanOrEqual(24 / 4 + 3);
    expect(backend.packReads - backup.snapshot.manifest.length).toBeLessThan(dataChunks);
  }, 60_000);
});
