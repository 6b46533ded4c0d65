import { execFileSync } from 'node:child_process';
import { chmod, chown, lstat, rename, rm, utimes } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runBackup } from '../../lib/datamover/backup/backup.js';
import { runRestore } from '../../lib/datamover/restore/restore.js';
import { scanXattrs } from '../../lib/datamover/xattrs/attr-tools.js';
import { localRepository, scratchDir } from './helpers/repository-fixture.js';
import { comparable, digestTree } from './helpers/tree-digest.js';
import { pseudoRandomBytes, TreeBuilder } from './helpers/tree-builder.js';

/**
 * Generated trees through the mover: whatever mix of modes, owners, times, symlinks, hard links, fifos,
 * sparse and empty files, empty directories, extended attributes and awkward or long names a volume holds, a backup
 * then a restore gives it back identical; so does an incremental backup after changes. fast-check prints
 * the seed and the shrunk tree of a failure.
 */
/** Trees per run of the suite (about 2 s each); HAVEN_TREE_RUNS=200 for a long hunt. */
const TREE_RUNS = Number(process.env.HAVEN_TREE_RUNS ?? 5);
const isRoot = process.getuid?.() === 0;

const name = fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,11}$/) },
  { weight: 1, arbitrary: fc.constantFrom('ünïcødé', '日本語', 'with space', 'new\nline', '.hidden', '-dash', 'a'.repeat(255), 'é'.repeat(127), 'back\\slash', '*?[') },
);
/** Room the filesystem may allocate beyond the data (preallocation, metadata blocks). */
const SPARSE_SLACK = 256 * 1024;
const FILE_MODES = [0o644, 0o600, 0o755, 0o400, 0o000, 0o4755, 0o2755, 0o1644];
const DIR_MODES = [0o755, 0o700, 0o555, 0o1777, 0o2775];
const time = fc.integer({ min: 0, max: 4_102_444_800_000 }).map((ms) => new Date(ms));
const xattr = fc.option(fc.record({ name: fc.stringMatching(/^user\.[a-z][a-z0-9.-]{0,10}$/), value: fc.uint8Array({ maxLength: 80 }) }), { nil: undefined });

const fileSpec = fc.record({
  dir: fc.nat(),
  name,
  content: fc.oneof(
    fc.constant({ kind: 'empty' as const }),
    fc.record({ kind: fc.constant('bytes' as const), length: fc.oneof(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 5001, max: 150_000 })), seed: fc.string({ maxLength: 8 }) }),
    fc.record({ kind: fc.constant('sparse' as const), size: fc.integer({ min: 1, max: 3 * 1024 * 1024 }), at: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 3 }), seed: fc.string({ maxLength: 8 }) }),
  ),
  mode: fc.constantFrom(...FILE_MODES),
  mtime: time,
  xattr,
  // Ownership only sticks when the test runs as root (as the mover does).
  owner: fc.option(fc.record({ uid: fc.integer({ min: 0, max: 70_000 }), gid: fc.integer({ min: 0, max: 70_000 }) }), { nil: undefined }),
});
const treeSpec = fc.record({
  dirs: fc.array(fc.record({ path: fc.array(name, { minLength: 1, maxLength: 3 }), mode: fc.constantFrom(...DIR_MODES), mtime: time, xattr }), { maxLength: 5 }),
  files: fc.array(fileSpec, { maxLength: 8 }),
  symlinks: fc.array(fc.record({ dir: fc.nat(), name, target: fc.oneof(name, fc.constantFrom('/etc/hostname', '../..', '.', 'dangling/far/away', 'x'.repeat(1000))) }), { maxLength: 3 }),
  hardlinks: fc.array(fc.record({ dir: fc.nat(), name, of: fc.nat() }), { maxLength: 3 }),
  fifos: fc.array(fc.record({ dir: fc.nat(), name, mode: fc.constantFrom(0o644, 0o600, 0o666), mtime: time, owner: fc.option(fc.record({ uid: fc.nat(70_000), gid: fc.nat(70_000) }), { nil: undefined }) }), { maxLength: 2 }),
});
type TreeSpec = typeof treeSpec extends fc.Arbitrary<infer T> ? T : never;

function setXattr(path: string, attribute: { name: string; value: Uint8Array } | undefined): void {
  if (!attribute) return;
  const value = Buffer.from(attribute.value);
  execFileSync('setfattr', ['-h', '-n', attribute.name, '-v', value.length === 0 ? '""' : `0s${value.toString('base64')}`, path]);
}

/** Writes the tree; returns the files written (for changes later). Directory modes and times go last, deepest first. */
async function build(root: string, spec: TreeSpec): Promise<string[]> {
  const tree = new TreeBuilder(root);
  await tree.dir('');
  const used = new Map<string, 'dir' | 'file'>([['', 'dir']]);
  const dirs: { path: string; mode: number; mtime: Date; xattr: TreeSpec['dirs'][number]['xattr'] }[] = [];
  for (const dir of spec.dirs) {
    let path = '';
    let clash = false;
    for (const part of dir.path) {
      path = path ? `${path}/${part}` : part;
      if (used.get(path) === 'file') clash = true;
      if (!used.has(path)) used.set(path, 'dir');
    }
    if (clash || dirs.some((d) => d.path === path)) continue;
    await tree.dir(path);
    dirs.push({ mode: dir.mode, mtime: dir.mtime, xattr: dir.xattr, path });
  }
  const dirPaths = ['', ...dirs.map((d) => d.path)];
  const free = (dir: number, entry: string): string | undefined => {
    const parent = dirPaths[dir % dirPaths.length]!;
    const path = parent ? `${parent}/${entry}` : entry;
    if (used.has(path)) return undefined;
    used.set(path, 'file');
    return path;
  };
  const files: string[] = [];
  for (const file of spec.files) {
    const path = free(file.dir, file.name);
    if (!path) continue;
    const { content } = file;
    if (content.kind === 'empty') await tree.file(path, '');
    else if (content.kind === 'bytes') await tree.file(path, pseudoRandomBytes(content.length, content.seed));
    else {
      const data = content.at.map((at, i) => ({ offset: Math.floor(at * content.size), bytes: pseudoRandomBytes(4096, `${content.seed}${i}`) }));
      await tree.sparse(path, content.size, data.map((d) => ({ offset: d.offset, bytes: d.bytes.subarray(0, Math.max(0, Math.min(4096, content.size - d.offset))) })));
    }
    setXattr(join(root, path), file.xattr);
    if (file.owner && isRoot) await chown(join(root, path), file.owner.uid, file.owner.gid);
    await chmod(join(root, path), file.mode);
    await utimes(join(root, path), file.mtime, file.mtime);
    files.push(path);
  }
  for (const fifo of spec.fifos) {
    const path = free(fifo.dir, fifo.name);
    if (!path) continue;
    execFileSync('mkfifo', ['-m', fifo.mode.toString(8), join(root, path)]);
    if (fifo.owner && isRoot) await chown(join(root, path), fifo.owner.uid, fifo.owner.gid);
    await utimes(join(root, path), fifo.mtime, fifo.mtime);
  }
  for (const link of spec.symlinks) {
    const path = free(link.dir, link.name);
    if (path) await tree.symlink(path, link.target);
  }
  for (const link of spec.hardlinks) {
    const path = files.length > 0 ? free(link.dir, link.name) : undefined;
    if (path) await tree.hardlink(path, files[link.of % files.length]!);
  }
  for (const dir of [...dirs].sort((a, b) => b.path.split('/').length - a.path.split('/').length)) {
    setXattr(join(root, dir.path), dir.xattr);
    await chmod(join(root, dir.path), dir.mode);
    await utimes(join(root, dir.path), dir.mtime, dir.mtime);
  }
  await utimes(root, new Date(0), new Date(0));
  return files;
}

async function expectIdentical(source: string, restored: string): Promise<void> {
  expect(comparable(await digestTree(restored))).toEqual(comparable(await digestTree(source)));
  expect(await scanXattrs(restored)).toEqual(await scanXattrs(source));
  // Sparse files stay sparse. (Allocation is compared loosely: the filesystem may preallocate around writes.)
  const before = await digestTree(source, { allocation: true });
  for (const [path, entry] of await digestTree(restored, { allocation: true })) {
    const original = before.get(path)!;
    if (entry.type === 'file' && original.allocated! + SPARSE_SLACK < original.size) expect(entry.allocated!, path).toBeLessThanOrEqual(2 * original.allocated! + SPARSE_SLACK);
  }
}

describe('mover round trip of generated trees', () => {
  it('restores every generated tree identical, from a first and from an incremental backup', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(treeSpec, fc.array(fc.nat(), { maxLength: 3 }), fc.integer({ min: 0, max: 4_102_444_800_000 }), async (spec, changed, changedAt) => {
        const scratch = await scratchDir(`tree-${++run}`);
        try {
          const source = join(scratch.path, 'source');
          const repository = await localRepository(join(scratch.path, 'repo'));
          const files = await build(source, spec);
          const first = await runBackup(repository, { source, volume: 'v' });
          await runRestore(repository, { snapshotId: first.snapshot.id, target: join(scratch.path, 'first') });
          await expectIdentical(source, join(scratch.path, 'first'));

          // Change some files (content, size, time), move or remove them, then back up against the first snapshot.
          for (const [i, pick] of changed.entries()) {
            const path = files[pick % Math.max(1, files.length)];
            if (!path) break;
            const absolute = join(source, path);
            if (i === 2) await rm(absolute, { force: true });
            else if (i === 1 && pick % 2 === 0) await rename(absolute, join(dirname(absolute), `moved-${i}`));
            else if (pick % 3 === 0) {
              // Metadata only (mode, owner, xattr): same size and mtime, the path a backup carries content over on.
              const { mtime } = await lstat(absolute);
              await chmod(absolute, 0o604);
              if (isRoot) await chown(absolute, 4321 + i, 8765);
              setXattr(absolute, { name: 'user.changed', value: Uint8Array.of(i) });
              await utimes(absolute, mtime, mtime);
            }
            else {
              await chmod(absolute, 0o644);
              await new TreeBuilder(source).file(path, pseudoRandomBytes(100 + i * 30_000, `changed-${pick}`), 0o640, new Date(changedAt));
            }
          }
          await utimes(source, new Date(0), new Date(0));
          const second = await runBackup(repository, { source, volume: 'v', parent: first.snapshot.id });
          await runRestore(repository, { snapshotId: second.snapshot.id, target: join(scratch.path, 'second') });
          await expectIdentical(source, join(scratch.path, 'second'));
        } finally {
          await scratch.cleanup();
        }
      }),
      { numRuns: TREE_RUNS },
    );
  }, 60_000 + TREE_RUNS * 20_000);
});
