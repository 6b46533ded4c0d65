import type { BigIntStats } from 'node:fs';
import type { EntryType, ManifestEntry } from '../../../proto/repository/index.js';

function entryTypeOf(stats: BigIntStats): EntryType {
  if (stats.isFile()) return 'file';
  if (stats.isDirectory()) return 'dir';
  if (stats.isSymbolicLink()) return 'symlink';
  if (stats.isFIFO()) return 'fifo';
  if (stats.isSocket()) return 'socket';
  if (stats.isCharacterDevice()) return 'chardev';
  return 'blockdev';
}

/** The metadata part of an entry; content fields are filled in by whoever reads the file. */
export function entryFromStats(path: string, stats: BigIntStats): ManifestEntry {
  const type = entryTypeOf(stats);
  const entry: ManifestEntry = {
    path,
    type,
    mode: Number(stats.mode & 0o7777n),
    uid: Number(stats.uid),
    gid: Number(stats.gid),
    mtimeNs: stats.mtimeNs.toString(),
    size: type === 'file' ? Number(stats.size) : 0,
  };
  if (type === 'file') {
    entry.ino = stats.ino.toString();
    if (stats.nlink > 1n) entry.nlink = Number(stats.nlink);
  }
  if (type === 'chardev' || type === 'blockdev') entry.rdev = Number(stats.rdev);
  return entry;
}

/** A file is trusted unchanged, and not re-read, when size, mtime and inode all match the previous manifest. */
export function isUnchanged(current: ManifestEntry, previous: ManifestEntry | undefined): previous is ManifestEntry {
  return (
    previous !== undefined &&
    (previous.type === 'file' || previous.type === 'hardlink') &&
    previous.size === current.size &&
    previous.mtimeNs === current.mtimeNs &&
    previous.ino === current.ino
  );
}

/** Copies the content references (not the metadata) from one entry to another. */
export function copyContent(from: ManifestEntry, to: ManifestEntry): void {
  if (from.chunks) to.chunks = from.chunks;
  if (from.bundle) to.bundle = from.bundle;
  if (from.holes) to.holes = from.holes;
}

export function contentChunkIds(entry: ManifestEntry): string[] {
  if (entry.bundle) return [entry.bundle.id];
  return entry.chunks ?? [];
}
