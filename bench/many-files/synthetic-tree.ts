import type { ManifestEntry } from '../../proto/repository/index.js';
import type { WalkedItem } from '../../lib/datamover/backup/tree-walker.js';
import { WALK_BATCH_ENTRIES } from '../../lib/datamover/backup/walk-batches.js';
import type { WalkSource } from '../../lib/datamover/backup/walk-thread.js';
import { ROOT_PATH } from '../../lib/datamover/manifest/walk-order.js';

/** Files per directory: a mail spool's or an object cache's fan-out. */
export const FILES_PER_DIRECTORY = 1000;

/**
 * A tree of `files` empty files, `FILES_PER_DIRECTORY` to a directory, produced in walk order without a
 * disk: ten million real files would take the bench longer to create than to back up, and what it
 * measures (the manifest, the checkpoints, the parent's merge-join, the memory they hold) does not depend
 * on where the entries came from. Names are zero-padded so that walk order is creation order; every
 * file has an inode and mtime of its own, so an unchanged re-run compares each one with its parent's line.
 */
export function syntheticTree(root: string, files: number): WalkSource {
  const directories = Math.ceil(files / FILES_PER_DIRECTORY);
  const width = Math.max(6, String(directories).length);
  const mtimeNs = (n: number) => `${1_700_000_000 + n}000000000`;
  const entry = (path: string, type: 'dir' | 'file', n: number): WalkedItem => {
    const manifest: ManifestEntry = { path, type, mode: type === 'dir' ? 0o755 : 0o644, uid: 1000, gid: 1000, mtimeNs: mtimeNs(n), size: 0 };
    if (type === 'file') manifest.ino = String(1_000_000 + n);
    return { absolutePath: path === ROOT_PATH ? root : `${root}/${path}`, entry: manifest, sparse: false };
  };
  return {
    async *batches() {
      let batch: WalkedItem[] = [entry(ROOT_PATH, 'dir', 0)];
      const push = async function* (item: WalkedItem) {
        batch.push(item);
        if (batch.length === WALK_BATCH_ENTRIES) {
          yield batch;
          batch = [];
        }
      };
      let made = 0;
      for (let d = 0; d < directories; d++) {
        const directory = `spool-${String(d).padStart(width, '0')}`;
        yield* push(entry(directory, 'dir', d));
        for (let f = 0; f < FILES_PER_DIRECTORY && made < files; f++, made++) {
          yield* push(entry(`${directory}/message-${String(f).padStart(4, '0')}.eml`, 'file', made));
        }
      }
      if (batch.length > 0) yield batch;
    },
    close: () => Promise.resolve(),
  };
}
