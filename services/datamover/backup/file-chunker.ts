import { open } from 'node:fs/promises';
import { ChunkSplitter } from '../chunking/chunk-splitter.js';
import type { ContentDefinedChunker } from '../chunking/fastcdc.js';
import type { TokenBucket } from '../controls/token-bucket.js';

/** Holes are recognised at this granularity (a common filesystem block multiple). */
export const HOLE_BLOCK = 64 * 1024;
export const DEFAULT_READ_SIZE = 8 * 1024 * 1024;

export interface ChunkedContent {
  chunks: string[];
  holes: [number, number][];
  /** Bytes read, holes included: the size the entry records, even if the file changed since stat. */
  size: number;
}

export interface FileChunkerOptions {
  chunker: ContentDefinedChunker;
  store: (chunk: Buffer) => Promise<Buffer>;
  /** Only files that occupy fewer blocks than their size are scanned for holes. */
  sparse: boolean;
  readSize?: number;
  throttle?: TokenBucket;
  onBytes?: (bytes: number) => void;
}

/**
 * Reads one file (or block device) to its end and stores its content as chunks. For sparse files,
 * all-zero aligned blocks become holes: they cost neither chunks nor restore writes, and the chunker
 * restarts after each hole so data around holes still deduplicates.
 */
export async function chunkFile(path: string, options: FileChunkerOptions): Promise<ChunkedContent> {
  const readSize = options.readSize ?? DEFAULT_READ_SIZE;
  const splitter = new ChunkSplitter(options.chunker);
  const result: ChunkedContent = { chunks: [], holes: [], size: 0 };
  const storeAll = async (chunks: Buffer[]) => {
    for (const chunk of chunks) result.chunks.push((await options.store(chunk)).toString('hex'));
  };
  const zeros = options.sparse ? Buffer.alloc(HOLE_BLOCK) : undefined;
  const handle = await open(path, 'r');
  try {
    for (;;) {
      const buffer = Buffer.allocUnsafe(readSize);
      if (options.throttle) await options.throttle.take(readSize);
      const { bytesRead } = await handle.read(buffer, 0, readSize, result.size);
      if (bytesRead === 0) break;
      const data = buffer.subarray(0, bytesRead);
      if (zeros) await pushWithHoles(data, result, splitter, zeros, storeAll);
      else await storeAll(splitter.push(data));
      result.size += bytesRead;
      options.onBytes?.(bytesRead);
    }
    await storeAll(splitter.finish());
  } finally {
    await handle.close();
  }
  return result;
}

async function pushWithHoles(
  data: Buffer,
  result: ChunkedContent,
  splitter: ChunkSplitter,
  zeros: Buffer,
  storeAll: (chunks: Buffer[]) => Promise<void>,
): Promise<void> {
  let runStart = 0;
  for (let block = 0; block < data.length; block += HOLE_BLOCK) {
    const end = Math.min(block + HOLE_BLOCK, data.length);
    const isHole = end - block === HOLE_BLOCK && zeros.equals(data.subarray(block, end));
    if (!isHole) continue;
    if (block > runStart) await storeAll(splitter.push(data.subarray(runStart, block)));
    await storeAll(splitter.finish());
    addHole(result.holes, result.size + block, HOLE_BLOCK);
    runStart = end;
  }
  if (runStart < data.length) await storeAll(splitter.push(data.subarray(runStart)));
}

function addHole(holes: [number, number][], offset: number, length: number): void {
  const last = holes.at(-1);
  if (last && last[0] + last[1] === offset) last[1] += length;
  else holes.push([offset, length]);
}

/** Small files are read whole, to be batched into a bundle. */
export async function readSmallFile(path: string, expectedSize: number, throttle?: TokenBucket): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    if (throttle) await throttle.take(expectedSize);
    // One byte more than expected tells a file that grew since stat apart from one that did not.
    const buffer = Buffer.allocUnsafe(expectedSize + 1);
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return buffer.subarray(0, filled);
  } finally {
    await handle.close();
  }
}
