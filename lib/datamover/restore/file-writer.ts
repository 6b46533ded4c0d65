import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import type { ManifestEntry } from '../../../proto/repository/index.js';
import { Semaphore } from '../controls/semaphore.js';
import { fsPath } from '../manifest/file-names.js';
import type { ChunkReader, ChunkRun } from './chunk-reader.js';
import type { RestoreWriters } from './restore-writers.js';
import type { RunSlots } from './run-slots.js';
import { nsToSeconds } from './times.js';
import type { RunChunk } from './writer-messages.js';

/** Runs of one file (see ChunkReader.runs, up to 4 MiB each) fetched or being written at once: S3 latency hides behind the writes. */
const RUNS_IN_FLIGHT = 4;
const ZEROS = Buffer.alloc(1024 * 1024);

/** What writing content needs: where chunks come from, who writes them, and the memory fetched runs go into. */
export interface ContentIo {
  reader: ChunkReader;
  writers: RestoreWriters;
  /** Fetched and not yet written, across all files: bounds memory whatever the concurrency. */
  slots: RunSlots;
}

interface WriteContentOptions {
  /** Block mode writes into an existing device: holes must be zeroed, not skipped. */
  zeroHoles?: boolean;
}

/**
 * Writes an entry's content (chunks with holes, or its slice of a bundle) through an open handle. Each run
 * of chunks stored back to back is fetched with one read, a few runs ahead, and handed to a writer thread
 * that opens, verifies and writes it at its position; runs may land in any order.
 */
export async function writeContent(
  handle: FileHandle,
  entry: ManifestEntry,
  { reader, writers, slots }: ContentIo,
  options: WriteContentOptions = {},
): Promise<number> {
  if (entry.bundle) {
    const bundle = await reader.read(entry.bundle.id, entry.path);
    const content = bundle.subarray(entry.bundle.offset, entry.bundle.offset + entry.size);
    for (let written = 0; written < content.length; ) written += (await handle.write(content, written, content.length - written, written)).bytesWritten;
    return entry.size;
  }
  const runs = reader.runs(entry.chunks ?? []);
  const { positions, zeroRanges, end } = placeRuns(runs, entry.holes ?? []);
  const zeroing = options.zeroHoles ? zeroRanges.map(([at, length]) => writeZeros(handle, at, length)) : [];
  // Each run is fetched, then written, then frees its slot, never waiting on another slot in between: what
  // is held is always on its way to being freed, so files waiting for slots cannot block each other.
  const perFile = new Semaphore(RUNS_IN_FLIGHT);
  const works: Promise<void>[] = [];
  let failed = false;
  for (let index = 0; index < runs.length && !failed; index++) {
    const run = runs[index]!;
    await perFile.acquire();
    // A single chunk bigger than a slot (another chunker's maximum) is read into memory of its own.
    const slot = run.storedBytes <= slots.slotBytes ? await slots.acquire() : undefined;
    const work = reader
      .fetchRun(run, entry.path, slot === undefined ? undefined : slots.view(slot))
      .then(({ stored, chunks }) => {
        const placed: RunChunk[] = chunks.map((chunk, i) => ({ ...chunk, position: positions[index]![i]! }));
        const where = slot === undefined ? stored : { slot, length: stored.length };
        return writers.run({ op: 'chunk-run', fd: handle.fd, path: entry.path, stored: where, chunks: placed });
      })
      .catch((error: unknown) => {
        failed = true;
        throw error;
      })
      .finally(() => {
        if (slot !== undefined) slots.release(slot);
        perFile.release();
      });
    work.catch(() => undefined);
    works.push(work);
  }
  // The handle is closed by the caller: nothing may still be writing through it.
  await Promise.allSettled([...works, ...zeroing]);
  await Promise.all([...works, ...zeroing]);
  return end;
}

/** Where each chunk of each run lands, skipping holes (sparse regions) between them; and where the content ends. */
function placeRuns(runs: ChunkRun[], holes: [number, number][]): { positions: number[][]; zeroRanges: [number, number][]; end: number } {
  let holeIndex = 0;
  let position = 0;
  const zeroRanges: [number, number][] = [];
  const skipHoles = () => {
    while (holeIndex < holes.length && holes[holeIndex]![0] === position) {
      const [, length] = holes[holeIndex++]!;
      zeroRanges.push([position, length]);
      position += length;
    }
  };
  const positions = runs.map((run) =>
    run.rawLengths.map((length) => {
      skipHoles();
      const at = position;
      position += length;
      return at;
    }),
  );
  skipHoles();
  return { positions, zeroRanges, end: position };
}

async function writeZeros(handle: FileHandle, position: number, length: number): Promise<void> {
  for (let done = 0; done < length; done += ZEROS.length) {
    const size = Math.min(ZEROS.length, length - done);
    for (let written = 0; written < size; ) written += (await handle.write(ZEROS, written, size - written, position + done + written)).bytesWritten;
  }
}

/** Restores a regular file: content, then size (trailing holes), owner, mode and times — in that order, so a read-only mode cannot block the write. */
export async function restoreRegularFile(path: string, entry: ManifestEntry, io: ContentIo, restoreOwners: boolean): Promise<void> {
  const handle = await open(fsPath(path), 'w');
  try {
    if (entry.holes && entry.holes.length > 0) await handle.truncate(entry.size);
    const written = await writeContent(handle, entry, io);
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
