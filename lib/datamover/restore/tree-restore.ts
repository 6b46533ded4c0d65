import { execFile } from 'node:child_process';
import { link, lchown, lutimes, mkdir, readdir, rename, symlink, unlink } from 'node:fs/promises';
import { lstatSync, mkdirSync } from 'node:fs';
import { join, posix } from 'node:path';
import { promisify } from 'node:util';
import type { ManifestEntry } from '../../../proto/repository/index.js';
import { Semaphore } from '../controls/semaphore.js';
import { InvalidArgumentError, UnsafeManifestPathError } from '../errors.js';
import { fsPath, isCanonicalName } from '../manifest/file-names.js';
import { isWithin, ROOT_PATH } from '../manifest/walk-order.js';
import { applyXattrs, type Xattrs } from '../xattrs/attr-tools.js';
import { DirectoryTracker } from './directory-tracker.js';
import { restoreRegularFile, type ContentIo } from './file-writer.js';
import type { RestoreOptions, RestoreResult } from './restore-options.js';
import { SmallFileBatches } from './small-file-batches.js';
import { writeSmallFileSync } from './sync-writes.js';
import { nsToSeconds } from './times.js';

const run = promisify(execFile);

/** glibc's dev_t encoding: major in bits 8–19 and 32+, minor in bits 0–7 and 20–31. */
function deviceNumbers(rdev: number): [string, string] {
  const value = BigInt(rdev);
  const major = ((value >> 8n) & 0xfffn) | ((value >> 32n) & ~0xfffn);
  const minor = (value & 0xffn) | ((value >> 12n) & ~0xffn);
  return [major.toString(), minor.toString()];
}

/** Why a manifest path must not be written, or undefined: relative, canonical, every segment a plain name. */
function unsafePathReason(path: string): string | undefined {
  if (path === ROOT_PATH) return undefined;
  if (path.startsWith('/')) return 'it is absolute';
  if (path.includes('\0')) return 'it holds a NUL byte';
  const segments = path.split('/');
  if (segments.some((segment) => segment === '' || segment === '.' || segment === '..')) return 'it is not a canonical relative path (empty, "." or ".." segments)';
  // Escaped bytes (file-names.ts) are 0x80..0xFF, never `/`, NUL or `.`: the checks above hold for the bytes written.
  if (!isCanonicalName(path)) return 'its name bytes are not spelled as a backup spells them (another path could name the same file)';
  return undefined;
}

function normaliseSelection(paths: string[] | undefined): string[] | undefined {
  if (!paths || paths.length === 0) return undefined;
  return paths.map((path) => {
    const trimmed = path.replace(/^\.?\/+/, '').replace(/\/+$/, '');
    if (trimmed.split('/').includes('..')) throw new InvalidArgumentError(`restore path ${path} leaves the volume`);
    return trimmed === '' ? ROOT_PATH : trimmed;
  });
}

/**
 * Restores a directory tree in manifest (walk) order: directories as they are reached, small files in
 * batches on a writer thread, other files and batches up to `filesInFlight` at a time, extended
 * attributes last.
 */
export class TreeRestore {
  private readonly selection: string[] | undefined;
  private readonly restoreOwners: boolean;
  private readonly directories: DirectoryTracker;
  private readonly files: Semaphore;
  /** Made once the target is known to be empty or not. */
  private smallFiles!: SmallFileBatches;
  private readonly inFlight = new Set<Promise<void>>();
  /** First names of hard-linked inodes restored in this run, by inode, for their later names. */
  private readonly linkTargets = new Map<string, Promise<void>>();
  private failure: unknown;
  /** Entries with extended attributes, set by one setfattr run once everything exists. */
  private readonly withXattrs: { absolutePath: string; xattrs: Xattrs }[] = [];
  /** Directories this restore created, by manifest path: only they may hold what follows. */
  private readonly restoredDirectories = new Set<string>();
  /** Restoring into an empty directory: no stale entry can be in the way, so no unlink per file. */
  private targetWasEmpty = false;
  /** Nodes created under a temporary name so far (makeNode). */
  private staged = 0;

  constructor(
    private readonly options: RestoreOptions,
    private readonly io: ContentIo,
    filesInFlight: number,
    private readonly result: RestoreResult,
  ) {
    this.selection = normaliseSelection(options.paths);
    this.restoreOwners = options.restoreOwners ?? process.getuid?.() === 0;
    this.directories = new DirectoryTracker(this.restoreOwners);
    this.files = new Semaphore(filesInFlight);
  }

  async run(entries: AsyncIterable<ManifestEntry>): Promise<void> {
    await mkdir(this.options.target, { recursive: true });
    this.targetWasEmpty = (await readdir(this.options.target)).length === 0;
    this.smallFiles = new SmallFileBatches({
      ...this.io,
      slots: this.files,
      replace: !this.targetWasEmpty,
      restoreOwners: this.restoreOwners,
      onFailure: (error) => (this.failure ??= error),
    });
    try {
      for await (const entry of entries) {
        if (this.failure !== undefined) break;
        if (!this.isSelected(entry.path)) continue;
        await this.restoreEntry(entry);
      }
    } finally {
      await this.smallFiles.drain();
      while (this.inFlight.size > 0) await Promise.all(this.inFlight);
    }
    if (this.failure !== undefined) throw this.failure;
    await this.directories.finish();
    // Setting an attribute changes only ctime, so doing it last leaves the restored times alone.
    if (!(await applyXattrs(this.withXattrs))) this.result.xattrsSkipped = this.withXattrs.length;
  }

  /** Selected paths, what lies below them, and the directories above them (so they exist). */
  private isSelected(path: string): boolean {
    if (!this.selection) return true;
    return this.selection.some((selected) => isWithin(path, selected) || isWithin(selected, path));
  }

  private absolute(path: string): string {
    return path === ROOT_PATH ? this.options.target : join(this.options.target, ...path.split('/'));
  }

  /**
   * Every path is checked before anything is written for it: canonical and relative, and its parent a
   * directory this very restore created (or the target). A forged manifest with `a` a symlink to `/etc`
   * and then `a/passwd` is refused at `a/passwd`, before it is written through the link.
   */
  private checkPath(path: string): void {
    const reason = unsafePathReason(path);
    if (reason) throw new UnsafeManifestPathError(path, reason);
    if (path === ROOT_PATH) return;
    const parent = posix.dirname(path);
    if (parent !== '.' && !this.restoredDirectories.has(parent)) {
      throw new UnsafeManifestPathError(path, `its parent ${JSON.stringify(parent)} is not a directory this restore created before it`);
    }
  }

  private async restoreEntry(entry: ManifestEntry): Promise<void> {
    this.checkPath(entry.path);
    this.directories.moveTo(entry.path);
    const absolutePath = this.absolute(entry.path);
    this.result.entries++;
    if (entry.xattrs && this.options.xattrs !== false) this.withXattrs.push({ absolutePath, xattrs: entry.xattrs });
    if (entry.type === 'dir') {
      // Synchronous: the walk cannot go on before it exists, and a round trip through the thread pool (busy
      // with the files' opens and closes) costs far more than the system call.
      mkdirSync(fsPath(absolutePath), { recursive: true });
      // Restoring over an existing tree: a symlink already at this name would pass mkdir and lead elsewhere.
      if (!this.targetWasEmpty && !lstatSync(fsPath(absolutePath)).isDirectory()) throw new UnsafeManifestPathError(entry.path, 'the target already has something other than a directory there (a symlink?)');
      this.restoredDirectories.add(entry.path);
      this.directories.enter(entry, absolutePath);
      return;
    }
    // Parent directories were created by their own entries, which precede this one in walk order.
    if (entry.type === 'file' && entry.bundle) {
      const done = this.directories.track();
      const { batch } = await this.smallFiles.add(entry, absolutePath, () => {
        this.result.files++;
        this.result.bytes += entry.size;
        done();
      });
      if (entry.nlink !== undefined && entry.ino !== undefined) this.linkTargets.set(entry.ino, batch.catch(() => undefined));
      return;
    }
    // A later name of a hard-linked file waits for its first name, which may sit in the batch being gathered.
    if (entry.type === 'hardlink') this.smallFiles.flush();
    await this.files.acquire();
    const done = this.directories.track();
    const work = this.restoreNonDirectory(entry, absolutePath)
      .catch((error: unknown) => {
        this.failure ??= error;
      })
      .finally(() => {
        done();
        this.files.release();
        this.inFlight.delete(work);
      });
    this.inFlight.add(work);
    if (entry.type === 'file' && entry.nlink !== undefined && entry.ino !== undefined) this.linkTargets.set(entry.ino, work);
  }

  private async restoreNonDirectory(entry: ManifestEntry, absolutePath: string): Promise<void> {
    if (!this.targetWasEmpty) {
      await unlink(fsPath(absolutePath)).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
    }
    switch (entry.type) {
      case 'file':
        await this.restoreFile(entry, absolutePath);
        return;
      case 'hardlink': {
        const first = entry.ino === undefined ? undefined : this.linkTargets.get(entry.ino);
        if (first && entry.linkTo !== undefined) {
          // The first name is linked by its path: the same rules, so a link cannot reach out of the target.
          this.checkPath(entry.linkTo);
          await first;
          await link(fsPath(this.absolute(entry.linkTo)), fsPath(absolutePath));
          this.result.files++;
        } else {
          await this.restoreFile(entry, absolutePath);
        }
        return;
      }
      case 'symlink': {
        await symlink(fsPath(entry.target ?? ''), fsPath(absolutePath));
        await this.ownerAndTimes(entry, absolutePath);
        return;
      }
      case 'fifo':
        await this.makeNode(absolutePath, (path) => run('mkfifo', ['-m', entry.mode.toString(8), path]));
        await this.ownerAndTimes(entry, absolutePath);
        return;
      case 'chardev':
      case 'blockdev': {
        if (process.getuid?.() !== 0 || entry.rdev === undefined) {
          this.result.skipped++;
          return;
        }
        const device = [entry.type === 'chardev' ? 'c' : 'b', ...deviceNumbers(entry.rdev)];
        await this.makeNode(absolutePath, (path) => run('mknod', ['-m', entry.mode.toString(8), path, ...device]));
        await this.ownerAndTimes(entry, absolutePath);
        return;
      }
      case 'socket':
        this.result.skipped++;
        return;
      case 'dir':
        return;
    }
  }

  /**
   * A symlink's or special node's owner and time, set on the entry itself (never what it points to). Nodes
   * made by mkfifo or mknod kept the restore's time and root's ownership before: found by
   * test/datamover/tree-round-trip.property.test.ts.
   */
  private async ownerAndTimes(entry: ManifestEntry, absolutePath: string): Promise<void> {
    const where = fsPath(absolutePath);
    if (this.restoreOwners) await lchown(where, entry.uid, entry.gid);
    const mtime = nsToSeconds(entry.mtimeNs);
    await lutimes(where, mtime, mtime);
  }

  /**
   * Runs a program that creates a node at a path. Arguments are strings, which reach the program as UTF-8:
   * a path with escaped bytes (file-names.ts) is created under a plain name in the target and renamed into place.
   */
  private async makeNode(absolutePath: string, create: (path: string) => Promise<unknown>): Promise<void> {
    const where = fsPath(absolutePath);
    if (typeof where === 'string') {
      await create(where);
      return;
    }
    const staging = join(this.options.target, `.haven-node-${process.pid}-${++this.staged}`);
    await create(staging);
    await rename(fsPath(staging), where);
  }

  /** Files with chunks, and later names of hard-linked files whose first name was not restored. */
  private async restoreFile(entry: ManifestEntry, absolutePath: string): Promise<void> {
    if (entry.bundle) {
      const bundle = await this.io.reader.read(entry.bundle.id, entry.path);
      writeSmallFileSync(absolutePath, entry, bundle.subarray(entry.bundle.offset, entry.bundle.offset + entry.size), this.restoreOwners);
    } else {
      await restoreRegularFile(absolutePath, entry, this.io, this.restoreOwners);
    }
    this.result.files++;
    this.result.bytes += entry.size;
  }
}
