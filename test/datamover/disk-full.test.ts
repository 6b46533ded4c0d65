import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackup } from '../../lib/datamover/backup/backup.js';
import { StorageFullError } from '../../lib/datamover/errors.js';
import { verifyRepository } from '../../lib/datamover/maintenance/verify.js';
import { Repository } from '../../lib/datamover/repository/repository.js';
import { runRestore } from '../../lib/datamover/restore/restore.js';
import { LocalBackend } from '../../lib/datamover/storage/local-backend.js';
import { run } from '../../scripts/stack/processes.js';
import { scratchDir, TEST_KDF_COST, TEST_SECRET } from './helpers/repository-fixture.js';
import { comparable, digestTree } from './helpers/tree-digest.js';
import { TreeBuilder } from './helpers/tree-builder.js';

/**
 * A filesystem repository on a disk that fills up: a tmpfs this test mounts (the tests run as root, as
 * the stack's own setup does) and unmounts. The backup that meets the full disk fails saying so; the
 * repository stays whole (it verifies and restores what it held), and the next backup after space is
 * freed completes.
 */
const DISK_BYTES = 12 * 2 ** 20;
// Leaves about 3 MiB for the repository: less than the 6 MB of incompressible source data.
const FILLER_BYTES = 9 * 2 ** 20;

let scratch: Awaited<ReturnType<typeof scratchDir>>;
let disk: string;
let source: string;

beforeAll(async () => {
  scratch = await scratchDir('disk-full');
  disk = join(scratch.path, 'disk');
  await mkdir(disk);
  const mounted = await run('mount', ['-t', 'tmpfs', '-o', `size=${DISK_BYTES}`, 'tmpfs', disk]);
  if (mounted.code !== 0) throw new Error(`mounting a ${DISK_BYTES}-byte tmpfs at ${disk} failed (the test needs root): ${mounted.stderr.trim()}`);
  source = join(scratch.path, 'source');
  const tree = new TreeBuilder(source);
  await tree.file('small.txt', 'a first, small volume');
});

afterAll(async () => {
  if (disk) await run('umount', [disk]);
  await scratch?.cleanup();
});

async function tempFiles(root: string): Promise<string[]> {
  return (await readdir(root, { recursive: true })).filter((name) => name.split('/').pop()!.startsWith('.tmp-'));
}

describe('a filesystem repository that runs out of space', () => {
  it('fails the backup with a clear reason, stays consistent, and completes the next backup once space is freed', async () => {
    const repositoryRoot = join(disk, 'repository');
    const repository = await Repository.init(new LocalBackend(repositoryRoot), TEST_SECRET, { kdfCost: TEST_KDF_COST });
    const first = await runBackup(repository, { source, volume: 'pv' });

    await writeFile(join(disk, 'filler'), Buffer.alloc(FILLER_BYTES, 1));
    await new TreeBuilder(source).file('big.bin', randomBytes(6_000_000));
    const failure = await runBackup(await Repository.open(new LocalBackend(repositoryRoot), TEST_SECRET), { source, volume: 'pv' }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(StorageFullError);
    expect((failure as StorageFullError).message).toMatch(/^the repository storage at .* is full \(ENOSPC\): free space or raise the quota, then run again$/);
    expect(await tempFiles(repositoryRoot)).toEqual([]);
    const afterFailure = await verifyRepository(await Repository.open(new LocalBackend(repositoryRoot), TEST_SECRET), { readData: true });
    expect(afterFailure.problems).toEqual([]);
    expect(afterFailure.snapshots).toBe(1);

    await rm(join(disk, 'filler'));
    const reopened = await Repository.open(new LocalBackend(repositoryRoot), TEST_SECRET);
    const second = await runBackup(reopened, { source, volume: 'pv' });
    expect(second.snapshot.id).not.toBe(first.snapshot.id);
    const report = await verifyRepository(reopened, { readData: true });
    expect(report.problems).toEqual([]);
    expect(report.snapshots).toBe(2);
    const restored = join(scratch.path, 'restored');
    await runRestore(reopened, { snapshotId: second.snapshot.id, target: restored });
    expect(comparable(await digestTree(restored))).toEqual(comparable(await digestTree(source)));
  }, 120_000);
});
