import type { BigIntStats } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { compareNames, comparePaths, isWithin, joinPath, ROOT_PATH } from '../manifest/walk-order.js';

export interface WalkedItem {
  /** Relative, `/`-separated; the root is `.`. */
  path: string;
  absolutePath: string;
  stats: BigIntStats;
}

/**
 * Walks a tree in walk order, one directory listing in memory per level of depth. With `startAfter` it
 * resumes: entries up to and including that path are skipped without being stat'ed, but the directories
 * leading to it are still entered.
 *
 * Entries that vanish between listing and lstat are skipped: the source is usually a snapshot, but a live
 * volume must not fail the backup for a deleted temp file.
 */
export async function* walkTree(root: string, startAfter?: string | null): AsyncGenerator<WalkedItem> {
  const rootStats = await lstat(root, { bigint: true });
  if (startAfter === undefined || startAfter === null) {
    yield { path: ROOT_PATH, absolutePath: root, stats: rootStats };
    startAfter = undefined;
  }
  if (rootStats.isDirectory()) yield* walkDirectory(root, ROOT_PATH, startAfter);
}

async function* walkDirectory(absolute: string, relative: string, startAfter: string | undefined): AsyncGenerator<WalkedItem> {
  const names = await readdir(absolute);
  names.sort(compareNames);
  for (const name of names) {
    const path = joinPath(relative, name);
    const childAbsolute = join(absolute, name);
    if (startAfter !== undefined && comparePaths(path, startAfter) <= 0) {
      if (!isWithin(startAfter, path)) continue;
      const stats = await lstatIfPresent(childAbsolute);
      if (stats?.isDirectory()) yield* walkDirectory(childAbsolute, path, startAfter);
      continue;
    }
    const stats = await lstatIfPresent(childAbsolute);
    if (!stats) continue;
    yield { path, absolutePath: childAbsolute, stats };
    if (stats.isDirectory()) yield* walkDirectory(childAbsolute, path, undefined);
  }
}

async function lstatIfPresent(path: string): Promise<BigIntStats | undefined> {
  try {
    return await lstat(path, { bigint: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
