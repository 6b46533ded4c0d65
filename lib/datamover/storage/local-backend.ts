import { randomBytes } from 'node:crypto';
import { constants as fsConstants, type Dirent } from 'node:fs';
import { lstat, mkdir, open, readdir, readFile, rename, rm, stat, link, unlink } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { ObjectExistsError, ObjectNotFoundError, ObjectRetainedError, RepositoryLinkError, StorageAnswerTooLargeError, StorageFullError } from '../errors.js';
import type { ByteRange, ObjectInfo, PutOptions, RetentionPolicy, StorageBackend, WholeRead } from './backend.js';
import { isRange, retainUntil } from './backend.js';

/** Names inside the root that are not objects. */
const TEMP_PREFIX = '.tmp-';
const RETENTION_DIR = '.retention';

/**
 * A repository in a local directory (or NFS mount). Writes go to a temp file, are fsynced, then renamed
 * (or hard-linked, for create-if-absent) into place, and the directory is fsynced: a crash leaves either
 * the old state or the new one. Retention is emulated with a sidecar date so GC behaves as on S3.
 */
export class LocalBackend implements StorageBackend {
  readonly location: string;

  constructor(
    private readonly root: string,
    private readonly retention?: RetentionPolicy,
    private readonly clock: () => Date = () => new Date(),
    /**
     * Refuse symbolic links below the root, before every operation. The control plane sets it: a
     * filesystem target is also written by the tenant's own mover pods, and a link placed there (say,
     * `packs` pointing into another organization's repository) would otherwise have GC list and delete
     * what lies behind it. (A link swapped in between this check and the operation is not caught: an
     * installation that shares a filesystem between tenants' clusters and the control plane should prefer
     * S3 targets; see docs/retention.md.)
     */
    private readonly refuseLinks = false,
  ) {
    this.location = root;
  }

  private pathOf(key: string): string {
    if (key.includes('..') || key.startsWith('/')) throw new Error(`invalid object key ${key}`);
    return join(this.root, ...key.split('/'));
  }

  /** `pathOf(key)`, once no directory between the root and it, nor the object itself, is a symbolic link. */
  private async confinedPathOf(key: string): Promise<string> {
    const path = this.pathOf(key);
    if (this.refuseLinks) await this.refuseLinksBelowRoot(path);
    return path;
  }

  private async refuseLinksBelowRoot(path: string): Promise<void> {
    let current = this.root;
    for (const part of relative(this.root, path).split(sep).filter(Boolean)) {
      current = join(current, part);
      const info = await lstat(current).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return undefined;
        throw error;
      });
      if (!info) return;
      if (info.isSymbolicLink()) throw new RepositoryLinkError(relative(this.root, current));
    }
  }

  async put(key: string, body: Uint8Array, options: PutOptions = {}): Promise<void> {
    try {
      await this.write(key, body, options);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC' || code === 'EDQUOT') throw new StorageFullError(this.location, error);
      throw error;
    }
  }

  private async write(key: string, body: Uint8Array, options: PutOptions): Promise<void> {
    const target = await this.confinedPathOf(key);
    const directory = dirname(target);
    await mkdir(directory, { recursive: true });
    const temp = join(directory, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
    const handle = await open(temp, 'wx');
    try {
      await handle.writeFile(body);
      await handle.sync();
    } catch (error) {
      // A write cut short (a full disk) must not leave its partial file holding the space it took.
      await handle.close();
      await rm(temp, { force: true });
      throw error;
    }
    await handle.close();
    try {
      if (options.ifAbsent) {
        await link(temp, target).catch((error: NodeJS.ErrnoException) => {
          throw error.code === 'EEXIST' ? new ObjectExistsError(key) : error;
        });
        await unlink(temp);
      } else {
        await rename(temp, target);
      }
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    await syncDirectory(directory);
    const until = options.unretained ? undefined : retainUntil(this.retention, this.clock());
    if (until) await this.writeRetention(key, until);
  }

  async get(key: string, read?: ByteRange | WholeRead): Promise<Buffer> {
    const path = await this.confinedPathOf(key);
    try {
      if (!isRange(read)) {
        if (read && (await stat(path)).size > read.maxBytes) throw new StorageAnswerTooLargeError('a read', read.maxBytes);
        return await readFile(path);
      }
      const range = read;
      const handle = await open(path, fsConstants.O_RDONLY);
      try {
        const buffer = range.into ? Buffer.from(range.into.buffer, range.into.byteOffset, range.length) : Buffer.allocUnsafe(range.length);
        const { bytesRead } = await handle.read(buffer, 0, range.length, range.offset);
        return bytesRead === range.length ? buffer : buffer.subarray(0, bytesRead);
      } finally {
        await handle.close();
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new ObjectNotFoundError(key);
      throw error;
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    try {
      const info = await stat(await this.confinedPathOf(key));
      return { key, size: info.size, lastModified: info.mtime };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    const slash = prefix.lastIndexOf('/');
    const base = slash < 0 ? this.root : await this.confinedPathOf(prefix.slice(0, slash));
    // walkFiles never descends into a link or yields one, so only the base needed the check.
    for await (const path of walkFiles(base)) {
      const key = relative(this.root, path).split(sep).join('/');
      if (!key.startsWith(prefix) || key.startsWith(RETENTION_DIR)) continue;
      const name = key.slice(key.lastIndexOf('/') + 1);
      if (name.startsWith(TEMP_PREFIX)) continue;
      const info = await stat(path).catch(() => undefined);
      if (info) yield { key, size: info.size, lastModified: info.mtime };
    }
  }

  async delete(key: string): Promise<void> {
    const until = await this.retainedUntil(key);
    if (until && until > this.clock()) throw new ObjectRetainedError(key, until);
    await rm(await this.confinedPathOf(key), { force: true });
    await rm(this.retentionPath(key), { force: true });
  }

  async retainedUntil(key: string): Promise<Date | undefined> {
    const path = this.retentionPath(key);
    // A linked retention date could be another repository's: read through a link, it could make GC think an object expired.
    if (this.refuseLinks) await this.refuseLinksBelowRoot(path);
    try {
      return new Date((await readFile(path, 'utf8')).trim());
    } catch {
      return undefined;
    }
  }

  async extendRetention(key: string, until: Date): Promise<boolean> {
    if (!(await this.head(key))) throw new ObjectNotFoundError(key);
    const current = await this.retainedUntil(key);
    if (current && current >= until) return false;
    await this.writeRetention(key, until);
    return true;
  }

  private retentionPath(key: string): string {
    return join(this.root, RETENTION_DIR, ...key.split('/'));
  }

  private async writeRetention(key: string, until: Date): Promise<void> {
    const path = this.retentionPath(key);
    if (this.refuseLinks) await this.refuseLinksBelowRoot(path);
    await mkdir(dirname(path), { recursive: true });
    const temp = `${path}.${TEMP_PREFIX}${randomBytes(4).toString('hex')}`;
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(until.toISOString());
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  }
}

async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, fsConstants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function* walkFiles(directory: string): AsyncIterable<string> {
  let names: Dirent[];
  try {
    names = await readdir(directory, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  for (const entry of names) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) yield* walkFiles(path);
    else if (entry.isFile()) yield path;
  }
}
