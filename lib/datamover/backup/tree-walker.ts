import { lstatSync, readdirSync, type BigIntStats } from 'node:fs';
import { resolve } from 'node:path';
import type { ManifestEntry } from '../../../proto/repository/index.js';
import { fsPath, hasEscapes, nameFromBytes } from '../manifest/file-names.js';
import { compareNames, comparePaths, isWithin, joinPath, ROOT_PATH } from '../manifest/walk-order.js';
import { entryFromStats } from './entry-from-stats.js';

export interface WalkedItem {
  absolutePath: string;
  /** Its metadata from lstat (entryFromStats); the path is relative, `/`-separated, and the root is `.`. */
  entry: ManifestEntry;
  /** Allocated blocks cover less than the size: read with hole detection. */
  sparse: boolean;
}

function walkedItem(path: string, absolutePath: string, stats: BigIntStats): WalkedItem {
  return { absolutePath, entry: entryFromStats(path, stats), sparse: stats.blocks * 512n < stats.size };
}

interface OpenDirectory {
  absolute: string;
  relative: string;
  names: string[];
  next: number;
  /** Its path or some of its names hold escaped bytes (file-names.ts): only then do paths need converting. */
  escaped: boolean;
}

/**
 * Walks a tree in walk order, one directory listing in memory per level of depth. With `startAfter` it
 * resumes: entries up to and including that path are skipped without being stat'ed, but the directories
 * leading to it are still entered.
 *
 * Entries that vanish between listing and lstat are skipped: the source is usually a snapshot, but a live
 * volume must not fail the backup for a deleted temp file. Names that are not UTF-8 are walked like any
 * other, spelled with escaped bytes (file-names.ts); Node's lossy names would not be found again.
 *
 * The walk is synchronous, one generator over a stack of open directories: a promise lstat costs ~20 µs of
 * CPU in the binding and the promise machinery against ~4 µs for the system call itself, and nested async
 * generators added a promise per level per entry. The caller pulls entries only while its window has room,
 * and file reads and sealing keep going on the thread pool and workers while the main thread stats.
 */
export function* walkTree(root: string, startAfter?: string | null): Generator<WalkedItem> {
  const absoluteRoot = resolve(root);
  const rootStats = lstatSync(absoluteRoot, { bigint: true });
  let skipUpTo = startAfter ?? undefined;
  if (skipUpTo === undefined) yield walkedItem(ROOT_PATH, absoluteRoot, rootStats);
  if (!rootStats.isDirectory()) return;
  const open: OpenDirectory[] = [list(absoluteRoot, ROOT_PATH, hasEscapes(absoluteRoot))];
  while (open.length > 0) {
    const directory = open[open.length - 1]!;
    if (directory.next === directory.names.length) {
      open.pop();
      continue;
    }
    const name = directory.names[directory.next++]!;
    const path = joinPath(directory.relative, name);
    // resolve() made the root absolute and normalised; names never contain `/`.
    const absolutePath = directory.absolute === '/' ? `/${name}` : `${directory.absolute}/${name}`;
    const where = directory.escaped ? fsPath(absolutePath) : absolutePath;
    if (skipUpTo !== undefined && comparePaths(path, skipUpTo) <= 0) {
      if (!isWithin(skipUpTo, path)) continue;
      if (lstatIfPresent(where)?.isDirectory()) open.push(list(absolutePath, path, directory.escaped));
      continue;
    }
    // Walk order is monotonic: once past the resume point, nothing later needs comparing with it.
    skipUpTo = undefined;
    const stats = lstatIfPresent(where);
    if (!stats) continue;
    yield walkedItem(path, absolutePath, stats);
    if (stats.isDirectory()) open.push(list(absolutePath, path, directory.escaped));
  }
}

/** `escaped`: the directory's own path holds escaped bytes. */
function list(absolute: string, relative: string, escaped: boolean): OpenDirectory {
  let names = readdirSync(escaped ? fsPath(absolute) : absolute);
  // Node replaced bytes that are not UTF-8 with U+FFFD; only then is the listing read again as bytes.
  if (names.some(hasReplacement)) {
    names = readdirSync(fsPath(absolute), { encoding: 'buffer' }).map(nameFromBytes);
    escaped ||= names.some(hasEscapes);
  }
  names.sort(compareNames);
  return { absolute, relative, names, next: 0, escaped };
}

function hasReplacement(name: string): boolean {
  return name.includes('\ufffd');
}

function lstatIfPresent(path: string | Buffer): BigIntStats | undefined {
  return lstatSync(path, { bigint: true, throwIfNoEntry: false });
}
