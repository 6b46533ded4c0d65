import type { SnapshotBrowser } from '../browse/snapshot-browser.js';
import { digestLine, hashContent, hasDigestedContent, isDigested, type DigestOptions } from './entry-digest.js';
import type { DigestFigures, SideLine } from './volume-lines.js';

/**
 * A repository snapshot's digest lines, in walk order, read without restoring it: the manifest gives every
 * entry's metadata, and a regular file's bytes are read back from its chunks, each verified as a restore
 * verifies it. The manifest holds keyed chunk ids, not per-file hashes, and a volume read back cannot cut
 * the same chunks (small files share bundles whose make-up depends on earlier backups), so the content is
 * hashed from the bytes on both sides.
 */
export async function* snapshotLines(browser: SnapshotBrowser, options: DigestOptions, figures: DigestFigures): AsyncGenerator<SideLine> {
  for await (const entry of browser.entries()) {
    if (!isDigested(entry)) continue;
    const content = hasDigestedContent(entry, options) ? (await hashContent(browser.content(entry), (count) => (figures.bytes += count))).sha256 : undefined;
    figures.entries++;
    yield { path: entry.path, line: digestLine(entry, content, options) };
  }
}
