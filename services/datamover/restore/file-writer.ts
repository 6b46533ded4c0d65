import { closeSync, fchmodSync, fchownSync, futimesSync, openSync, writeSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import type { ManifestEntry } from '../../../proto/repository/index.js';
import type { ChunkReader } from './chunk-reader.js';

/** Runs of chunks (see ChunkReader.runs) fetched ahead of the write position: S3 latency hides behind the writes. */
const READ_AHEAD = 2;
const ZEROS = Buffer.alloc(1024 * 1024);

export interface WriteContentOptions {
  /** Block mode writes into an existing device: holes must be zeroed, not skipped. */
  zeroHoles?: boolean;
}

/** Writes an entry's content (chunks with holes, or its slice of a bundle) through an open handle. */
export async function writeContent(handle: FileHandle, entry: ManifestEntry, reader: ChunkReader, options: WriteContentOptions = {}): Promise<number> {
  if (entry.bundle) {
    const bundle = await reader.read(entry.bundle.id, entry.path);
    await writeAll(handle, bundle.subarray(entry.bundle.offset, entry.bundle.offset + entry.size), 0);
    return entry.size;
  }
  const holes = entry.holes ?? [];
  let holeIndex = 0;
  let position = 0;
  const skipHoles = async () => {
    while (holeIndex < holes.length && holes[holeIndex]![0] === position) {
      const [, length] = holes[holeIndex++]!;
      if (options.zeroHoles) await writeZeros(handle, position, length);
      position += length;
    }
  };
  // Runs of chunks stored back to back are fetched with one read each, a few runs ahead of the writes.
  const runs = reader.runs(entry.chunks ?? []);
  const pending: Promise<Buffer[]>[] = [];
  const fetchRun = (index: number) => {
    const read = reader.readRun(runs[index]!, entry.path);
    read.catch(() => undefined);
    pending.push(read);
  };
  for (let next = 0; next < Math.min(READ_AHEAD, runs.length); next++) fetchRun(next);
  for (let index = 0; index < runs.length; index++) {
    const chunks = await pending.shift()!;
    if (index + READ_AHEAD < runs.length) fetchRun(index + READ_AHEAD);
    for (const data of chunks) {
      await skipHoles();
      await writeAll(handle, data, position);
      position += data.length;
    }
  }
  await skipHoles();
  return position;
}

async function writeAll(handle: FileHandle, data: Buffer, position: number): Promise<void> {
  let written = 0;
  while (written < data.length) {
    const { bytesWritten } = await handle.write(data, written, data.length - written, position + written);
    written += bytesWritten;
  }
}

async function writeZeros(handle: FileHandle, position: number, length: number): Promise<void> {
  for (let done = 0; done < length; done += ZEROS.length) {
    await writeAll(handle, ZEROS.subarray(0, Math.min(ZEROS.length, length - done)), position + done);
  }
}

/** Restores a regular file: content, then size (trailing holes), owner, mode and times — in that order, so a read-only mode cannot block the write. */
export async function restoreRegularFile(path: string, entry: ManifestEntry, reader: ChunkReader, restoreOwners: boolean): Promise<void> {
  const handle = await open(path, 'w');
  try {
    if (entry.holes && entry.holes.length > 0) await handle.truncate(entry.size);
    const written = await writeContent(handle, entry, reader);
    if (written < entry.size) await handle.truncate(entry.size);
    // New files already belong to the restoring user; chown only when the owner differs.
    if (restoreOwners && (entry.uid !== process.getuid?.() || entry.gid !== process.getgid?.())) await handle.chown(entry.uid, entry.gid);
    await handle.chmod(entry.mode);
    const mtime = nsToSeconds(entry.mtimeNs);
    await handle.utimes(mtime, mtime);
  } finally {
    await handle.close();
  }
}

/**
 * A small file (a slice of a bundle already in memory) written with synchronous calls: five promise-based
 * calls cost ~100 µs of main-thread CPU per file against a few µs for the system calls themselves, which
 * made them most of a many-small-files restore. Writes land in the page cache, so nothing here waits on
 * the disk.
 */
export function writeSmallFileSync(path: string, entry: ManifestEntry, content: Uint8Array, restoreOwners: boolean): void {
  const fd = openSync(path, 'w', entry.mode);
  try {
    for (let written = 0; written < content.length; ) written += writeSync(fd, content, written, content.length - written, written);
    if (restoreOwners && (entry.uid !== process.getuid?.() || entry.gid !== process.getgid?.())) fchownSync(fd, entry.uid, entry.gid);
    // The mode given to open is filtered by the umask; this sets it exactly (the fd stays writable either way).
    fchmodSync(fd, entry.mode);
    const mtime = nsToSeconds(entry.mtimeNs);
    futimesSync(fd, mtime, mtime);
  } finally {
    closeSync(fd);
  }
}

/**
 * Seconds as a double for utimes, exact to the microsecond. A double near 1.7e9 s resolves ~0.24 µs and
 * libuv truncates to nanoseconds, so a whole-millisecond time could land just below itself; half a
 * microsecond of bias keeps truncation on the right microsecond.
 */
export function nsToSeconds(mtimeNs: string): number {
  const ns = BigInt(mtimeNs);
  return Number(ns / 1000n) / 1e6 + 5e-7;
}
