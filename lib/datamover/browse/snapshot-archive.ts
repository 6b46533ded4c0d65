import type { ManifestEntry } from '../../../proto/repository/index.js';
import { comparePaths, isWithin } from '../manifest/walk-order.js';
import type { SnapshotBrowser } from './snapshot-browser.js';
import { archivable, entryHeader, padding, TAR_END } from './tar-format.js';

export interface ArchiveFigures {
  entries: number;
  bytes: number;
}

/**
 * A tar stream of the selected paths of a snapshot and everything below them, in walk order, read from
 * the repository as it is sent (chunks verified on the way). A hard link whose first name is not in the
 * archive is sent as a file of its own, so the archive always unpacks.
 */
export async function* snapshotArchive(browser: SnapshotBrowser, paths: readonly string[], figures: ArchiveFigures = { entries: 0, bytes: 0 }): AsyncGenerator<Buffer> {
  const sent = new Set<string>();
  for (const path of selectionRoots(paths)) {
    for await (const found of browser.entries(path)) {
      if (!archivable(found)) continue;
      const entry: ManifestEntry = found.type === 'hardlink' && !sent.has(found.linkTo ?? '') ? { ...found, type: 'file' } : found;
      yield entryHeader(entry);
      sent.add(entry.path);
      figures.entries++;
      if (entry.type !== 'file') continue;
      let written = 0;
      for await (const piece of browser.content(entry)) {
        written += piece.length;
        yield piece;
      }
      // A manifest whose size disagrees with its chunks would shift every header after it.
      if (written !== entry.size) throw new Error(`${entry.path}: the snapshot records ${entry.size} bytes but its chunks hold ${written}`);
      figures.bytes += written;
      yield padding(written);
    }
  }
  yield TAR_END;
}

/** Selected paths without those inside another selected one, so nothing is sent twice; in walk order, so links find their first name. */
function selectionRoots(paths: readonly string[]): string[] {
  const unique = [...new Set(paths)];
  return unique.filter((path) => !unique.some((other) => other !== path && isWithin(path, other))).sort(comparePaths);
}
