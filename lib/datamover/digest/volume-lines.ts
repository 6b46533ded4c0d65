import { createReadStream } from 'node:fs';
import { readlink } from 'node:fs/promises';
import { walkTree } from '../backup/tree-walker.js';
import { fsPath, nameFromBytes } from '../manifest/file-names.js';
import type { Xattrs } from '../xattrs/attr-tools.js';
import { digestLine, hashContent, hasDigestedContent, isDigested, type DigestOptions } from './entry-digest.js';

/** Reads of a volume's files: large enough that a read is not a system call per 64 KiB. */
const READ_BYTES = 1024 * 1024;

/** One entry of one side, in walk order: its path and its digest line. */
export interface SideLine {
  path: string;
  line: string;
}

/** Figures both sides update as they read, for heartbeats. */
export interface DigestFigures {
  entries: number;
  bytes: number;
}

/**
 * A mounted volume's digest lines, in walk order: the backup's own walk (tree-walker.ts), so names that are
 * not UTF-8 are spelled as the manifest spells them; hard links found by inode as a backup finds them, the
 * first name in walk order holding the content and the later ones `linkTo` it.
 */
export async function* volumeLines(root: string, options: DigestOptions, xattrs: Map<string, Xattrs> | undefined, figures: DigestFigures): AsyncGenerator<SideLine> {
  const firstPathOfInode = new Map<string, string>();
  for (const item of walkTree(root)) {
    const { entry } = item;
    if (!isDigested(entry)) continue;
    const found = xattrs?.get(entry.path);
    if (found) entry.xattrs = found;
    if (entry.type === 'symlink') entry.target = nameFromBytes(await readlink(fsPath(item.absolutePath), { encoding: 'buffer' }));
    if (entry.type === 'file' && entry.nlink !== undefined && entry.ino !== undefined) {
      const first = firstPathOfInode.get(entry.ino);
      if (first === undefined) firstPathOfInode.set(entry.ino, entry.path);
      else Object.assign(entry, { type: 'hardlink', linkTo: first });
    }
    let content: string | undefined;
    if (hasDigestedContent(entry, options)) {
      const read = createReadStream(fsPath(item.absolutePath), { highWaterMark: READ_BYTES }) as AsyncIterable<Buffer>;
      content = (await hashContent(read, (count) => (figures.bytes += count))).sha256;
    }
    figures.entries++;
    yield { path: entry.path, line: digestLine(entry, content, options) };
  }
}

/**
 * A block volume's one line: the first `size` bytes of the device, `size` being what the recovery point
 * holds (a new device may be larger; a smaller one reads short and differs in size).
 */
export async function* blockVolumeLines(device: string, size: number, options: DigestOptions, figures: DigestFigures): AsyncGenerator<SideLine> {
  // createReadStream's `end` is inclusive: an empty copy reads nothing.
  const read = size === 0 ? nothing() : (createReadStream(device, { start: 0, end: size - 1, highWaterMark: READ_BYTES }) as AsyncIterable<Buffer>);
  const { sha256, bytes } = await hashContent(read, (count) => (figures.bytes += count));
  figures.entries++;
  yield { path: '.', line: digestLine({ path: '.', type: 'file', mode: 0, uid: 0, gid: 0, mtimeNs: '0', size: bytes }, sha256, options) };
}

async function* nothing(): AsyncGenerator<Buffer> {}
