import { chown, chmod, utimes } from 'node:fs/promises';
import type { ManifestEntry } from '../../../proto/repository/index.js';
import { fsPath } from '../manifest/file-names.js';
import { isWithin } from '../manifest/walk-order.js';
import { nsToSeconds } from './times.js';

interface OpenDirectory {
  path: string;
  absolutePath: string;
  entry: ManifestEntry;
  pendingChildren: number;
  closed: boolean;
}

/**
 * Directory modes and times must be set after their content is written (creating a child changes the
 * directory's mtime; a read-only mode would block the children). Only the directories on the current walk
 * path are held, each counting its unfinished descendants; one is finalised when it is left and its count
 * reaches zero, so memory stays proportional to depth, not to the number of directories.
 */
export class DirectoryTracker {
  private readonly stack: OpenDirectory[] = [];
  private readonly finalising = new Set<Promise<void>>();
  private failure: unknown;

  constructor(private readonly restoreOwners: boolean) {}

  /** Leaves directories that do not contain `path`. */
  moveTo(path: string): void {
    while (this.stack.length > 0 && !isWithin(path, this.stack.at(-1)!.path)) this.close(this.stack.pop()!);
  }

  enter(entry: ManifestEntry, absolutePath: string): void {
    this.stack.push({ path: entry.path, absolutePath, entry, pendingChildren: 0, closed: false });
  }

  /** Registers work below the current directories; call the returned function when it is done. */
  track(): () => void {
    const holders = [...this.stack];
    for (const directory of holders) directory.pendingChildren++;
    return () => {
      for (const directory of holders) {
        directory.pendingChildren--;
        if (directory.closed && directory.pendingChildren === 0) this.finalise(directory);
      }
    };
  }

  async finish(): Promise<void> {
    while (this.stack.length > 0) this.close(this.stack.pop()!);
    while (this.finalising.size > 0) await Promise.all(this.finalising);
    if (this.failure !== undefined) throw this.failure;
  }

  private close(directory: OpenDirectory): void {
    directory.closed = true;
    if (directory.pendingChildren === 0) this.finalise(directory);
  }

  private finalise(directory: OpenDirectory): void {
    const { entry } = directory;
    const where = fsPath(directory.absolutePath);
    const work = (async () => {
      if (this.restoreOwners) await chown(where, entry.uid, entry.gid);
      await chmod(where, entry.mode);
      const mtime = nsToSeconds(entry.mtimeNs);
      await utimes(where, mtime, mtime);
    })()
      .catch((error: unknown) => {
        this.failure ??= error;
      })
      .finally(() => this.finalising.delete(work));
    this.finalising.add(work);
  }
}
