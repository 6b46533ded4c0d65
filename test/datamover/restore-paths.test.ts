import { lstat, mkdir, readdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ManifestEntry } from '../../proto/repository/index.js';
import { UnsafeManifestPathError } from '../../lib/datamover/errors.js';
import type { ContentIo } from '../../lib/datamover/restore/file-writer.js';
import { TreeRestore } from '../../lib/datamover/restore/tree-restore.js';
import { scratchDir } from './helpers/repository-fixture.js';

/**
 * A restore reads its manifest from a repository whoever holds the bucket's keys can rewrite. These
 * entries are what a forged manifest decodes to; the restore must refuse them before writing anything
 * outside its target.
 */
const base = { mode: 0o755, uid: 0, gid: 0, mtimeNs: '0', size: 0 };
const dir = (path: string): ManifestEntry => ({ ...base, path, type: 'dir' });
const root = dir('.');

let scratch: Awaited<ReturnType<typeof scratchDir>>;
let target: string;
let outside: string;

beforeEach(async () => {
  scratch = await scratchDir('restore-paths');
  target = join(scratch.path, 'target');
  outside = join(scratch.path, 'outside');
  await mkdir(outside, { recursive: true });
});
afterEach(() => scratch.cleanup());

async function restore(entries: ManifestEntry[]): Promise<void> {
  const result = { entries: 0, files: 0, bytes: 0, skipped: 0, bytesFetched: 0 };
  // Only directories, symlinks and links here: no content is read, so no content I/O is given.
  await new TreeRestore({ snapshotId: 'forged', target, restoreOwners: false, xattrs: false }, {} as ContentIo, 1, result).run(
    (async function* () {
      yield* entries;
    })(),
  );
}

describe('a restore of a forged manifest', () => {
  it.each([
    ['a path leaving the target', '../escaped'],
    ['an absolute path', '/tmp/haven-absolute-escape'],
    ['a ".." segment inside', 'a/../../escaped'],
    ['an empty segment', 'a//b'],
    ['a "." segment', './a'],
  ])('refuses %s before creating anything for it', async (_what, path) => {
    await expect(restore([root, dir('a'), dir(path)])).rejects.toBeInstanceOf(UnsafeManifestPathError);
    expect(await readdir(scratch.path)).toEqual(expect.not.arrayContaining(['escaped']));
    await expect(lstat('/tmp/haven-absolute-escape')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('does not follow a symlink it restored: an entry below it is refused, nothing is written where it points', async () => {
    const link: ManifestEntry = { ...base, path: 'a', type: 'symlink', target: outside };
    await expect(restore([root, link, dir('a/planted')])).rejects.toThrow(/its parent "a" is not a directory this restore created/);
    expect(await readdir(outside)).toEqual([]);
  });

  it('does not follow a symlink already in the target it restores over', async () => {
    await mkdir(target, { recursive: true });
    await symlink(outside, join(target, 'a'));
    await expect(restore([root, dir('a'), dir('a/planted')])).rejects.toBeInstanceOf(UnsafeManifestPathError);
    expect(await readdir(outside)).toEqual([]);
  });

  it('still restores a canonical tree with symlinks as links', async () => {
    await restore([root, dir('a'), dir('a/b'), { ...base, path: 'a/link', type: 'symlink', target: '../a/b' }]);
    expect((await lstat(join(target, 'a/link'))).isSymbolicLink()).toBe(true);
    expect((await lstat(join(target, 'a/b'))).isDirectory()).toBe(true);
  });
});
