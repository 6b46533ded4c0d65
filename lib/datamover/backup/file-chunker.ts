import { closeSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { ContentDefinedChunker } from '../chunking/fastcdc.js';
import type { TokenBucket } from '../controls/token-bucket.js';
import { fsPath } from '../manifest/file-names.js';
import type { ChunkStream, HashedChunk } from './chunk-store.js';

/** Holes are recognised at this granularity (a common filesystem block multiple). */
const HOLE_BLOCK = 64 * 1024;

export interface ChunkedContent {
  chunks: string[];
  holes: [number, number][];
  /** Bytes read, holes included: the size the entry records, even if the file changed since stat. */
  size: number;
}

interface FileChunkerOptions {
  chunker: ContentDefinedChunker;
  /** Takes a chunk's bytes (the buffer is reused once this resolves) and promises its id. */
  submit: (chunk: Buffer) => Promise<{ id: Promise<Buffer> }>;
  /** Only files that occupy fewer blocks than their size are scanned for holes. */
  sparse: boolean;
  readSize: number;
  throttle?: TokenBucket;
  onBytes: (bytes: number) => void;
}

/**
 * Reads one file (or block device) to its end and stores its content as chunks. One working buffer is
 * reused for the whole file: reads land behind the previous read's uncut tail, and every chunk is stored
 * (handed over as a copy) before the buffer is overwritten. Fresh multi-megabyte buffers per read would cost
 * page faults worth several times the chunking itself. Ids are collected at the end: hashing happens
 * elsewhere while this keeps reading and cutting.
 *
 * For sparse files, all-zero aligned blocks become holes: they cost neither chunks nor restore writes, and
 * the chunker restarts after each hole so data around holes still deduplicates.
 */
export async function chunkFile(path: string, options: FileChunkerOptions, expectedSize?: number): Promise<ChunkedContent> {
  const chunker = options.chunker;
  const readSize = Math.max(HOLE_BLOCK, Math.min(options.readSize, roundUp((expectedSize ?? Infinity) + 1, HOLE_BLOCK)));
  const work = Buffer.allocUnsafe(readSize + chunker.maxSize);
  const zeros = options.sparse ? Buffer.alloc(HOLE_BLOCK) : undefined;
  const result: ChunkedContent = { chunks: [], holes: [], size: 0 };
  const ids: Promise<Buffer>[] = [];
  const cutAndStore = async (from: number, to: number, atEnd: boolean): Promise<number> => {
    let offset = from;
    for (let length = chunker.cut(work, offset, to, atEnd); length > 0; length = chunker.cut(work, offset, to, atEnd)) {
      const { id } = await options.submit(work.subarray(offset, offset + length));
      id.catch(() => undefined);
      ids.push(id);
      offset += length;
    }
    return offset;
  };
  let filled = 0;
  const handle = await open(fsPath(path), 'r');
  try {
    for (;;) {
      if (options.throttle) await options.throttle.take(readSize);
      const { bytesRead } = await handle.read(work, filled, readSize, result.size);
      const end = filled + bytesRead;
      let consumed = 0;
      if (zeros && bytesRead > 0) consumed = await cutAroundHoles(work, filled, end, result, zeros, cutAndStore);
      consumed = await cutAndStore(consumed, end, bytesRead === 0);
      work.copy(work, 0, consumed, end);
      filled = end - consumed;
      result.size += bytesRead;
      if (bytesRead > 0) options.onBytes(bytesRead);
      if (bytesRead === 0) break;
    }
  } finally {
    await handle.close();
  }
  for (const id of await Promise.all(ids)) result.chunks.push(id.toString('hex'));
  return result;
}

interface StreamChunkerOptions {
  stream: ChunkStream;
  accept: (chunk: HashedChunk, rawLength: number) => Promise<Buffer>;
  readSize: number;
  throttle?: TokenBucket;
  onBytes: (bytes: number) => void;
}

/**
 * Reads a file (not sparse: holes are found on this thread, by `chunkFile`) and hands its pieces to a
 * sealer that cuts, hashes and seals them elsewhere. Each read's buffer is given up with the piece (the
 * chunks cut from it are views of it); the sealer hands it back for another read once it is done with all
 * of them.
 */
export async function streamFile(path: string, options: StreamChunkerOptions, expectedSize: number): Promise<ChunkedContent> {
  const readSize = Math.max(HOLE_BLOCK, Math.min(options.readSize, roundUp(expectedSize + 1, HOLE_BLOCK)));
  const batches: Promise<Buffer[]>[] = [];
  let size = 0;
  const handle = await open(fsPath(path), 'r');
  try {
    for (;;) {
      if (options.throttle) await options.throttle.take(readSize);
      const buffer = options.stream.readBuffer(readSize);
      const { bytesRead } = await handle.read(buffer, 0, readSize, size);
      size += bytesRead;
      if (bytesRead > 0) options.onBytes(bytesRead);
      const { chunks } = await options.stream.push(buffer.subarray(0, bytesRead), bytesRead === 0);
      const ids = chunks.then((list) => Promise.all(list.map(({ chunk, length }) => options.accept(chunk, length))));
      ids.catch(() => undefined);
      batches.push(ids);
      if (bytesRead === 0) break;
    }
  } catch (error) {
    options.stream.abort();
    throw error;
  } finally {
    await handle.close();
  }
  const chunks = (await Promise.all(batches)).flat().map((id) => id.toString('hex'));
  return { chunks, holes: [], size };
}

function roundUp(value: number, multiple: number): number {
  return Number.isFinite(value) ? Math.ceil(value / multiple) * multiple : value;
}

/**
 * Scans the freshly read region [readStart, end) for aligned zero blocks. Data before each hole is cut as
 * if the stream ended there. Returns where uncut data begins.
 */
async function cutAroundHoles(
  work: Buffer,
  readStart: number,
  end: number,
  result: ChunkedContent,
  zeros: Buffer,
  cutAndStore: (from: number, to: number, atEnd: boolean) => Promise<number>,
): Promise<number> {
  let dataStart = 0;
  // result.size is the file offset of work[readStart]; reads start at multiples of HOLE_BLOCK.
  for (let block = readStart; block + HOLE_BLOCK <= end; block += HOLE_BLOCK) {
    if (!zeros.equals(work.subarray(block, block + HOLE_BLOCK))) continue;
    if (block > dataStart) await cutAndStore(dataStart, block, true);
    addHole(result.holes, result.size + (block - readStart), HOLE_BLOCK);
    dataStart = block + HOLE_BLOCK;
  }
  return dataStart;
}

function addHole(holes: [number, number][], offset: number, length: number): void {
  const last = holes.at(-1);
  if (last && last[0] + last[1] === offset) last[1] += length;
  else holes.push([offset, length]);
}

/**
 * Small files are read whole, to be batched into a bundle, with synchronous calls: a promise-based
 * open/read/close costs ~70 µs of main-thread CPU in bindings and promise machinery, the system calls a
 * tenth of that, and for tens of thousands of small files that difference is the backup's cost. The
 * walk already lstat's every entry synchronously, so this adds no new kind of blocking.
 */
export async function readSmallFile(path: string, expectedSize: number, throttle?: TokenBucket): Promise<Buffer> {
  if (throttle) await throttle.take(expectedSize);
  const fd = openSync(fsPath(path), 'r');
  try {
    // One byte more than expected tells a file that grew since stat apart from one that did not.
    const buffer = Buffer.allocUnsafe(expectedSize + 1);
    let filled = 0;
    while (filled < buffer.length) {
      const bytesRead = readSync(fd, buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return buffer.subarray(0, filled);
  } finally {
    closeSync(fd);
  }
}
