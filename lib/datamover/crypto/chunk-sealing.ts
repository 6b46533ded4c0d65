import { createHmac } from 'node:crypto';
import * as zstdBinding from 'zstd-napi/binding.js';

// A native CommonJS module: Node's ESM loader (the restore writer threads) gives it as the default export,
// tsx and vitest as named ones.
const zstd = (zstdBinding as typeof zstdBinding & { default?: typeof zstdBinding }).default ?? zstdBinding;
import { CHUNK_FLAGS } from '../../../proto/repository/chunk-flags.js';
import { open, seal } from './envelope.js';

/**
 * Turns a chunk's plaintext into what is stored in a pack and back. Each chunk is encrypted under its own
 * key, HMAC(dataKey, id): equal plaintext never meets the same key twice with a random nonce at scale, and
 * the id is the AAD, so a stored payload cannot be swapped for another chunk's.
 */
/** Compression must save at least this share to be worth decompressing on every restore. */
const MIN_SAVING = 0.03;

export interface SealedChunk {
  stored: Buffer;
  flags: number;
}

/**
 * One compression context and one output buffer per thread, reused by every chunk: sealing is synchronous,
 * so each result is encrypted (copied) before the next compression overwrites it. zstd-napi's `compress`
 * allocates its output and, most of the time, copies it again into a trimmed buffer: two allocations and
 * a copy per chunk, and the garbage made each thread's heap collect in full every 64 MB.
 */
let cctx: zstdBinding.CCtx | undefined;
let scratch = Buffer.alloc(0);
let sampleScratch = Buffer.alloc(0);

/** The compressed bytes, valid until the next call. */
function compressToScratch(data: Uint8Array, level: number): Buffer {
  cctx ??= new zstd.CCtx();
  const bound = zstd.compressBound(data.length);
  if (scratch.length < bound) scratch = Buffer.allocUnsafeSlow(bound);
  return scratch.subarray(0, cctx.compress(scratch, data, level));
}

function chunkKey(dataKey: Buffer, id: Buffer): Buffer {
  return createHmac('sha256', dataKey).update(id).digest();
}

/**
 * Incompressible chunks (media, archives, encrypted files) cost a small sample instead of a full attempt.
 * The sample is compressed at zstd's fastest regular level whatever the repository's: telling noise from
 * data does not need the better match finder.
 *
 * The sample is SAMPLE_SLICES slices spread over the whole chunk, not one block from its middle: chunks of
 * database files, disk images and archives mix random pages with text and zero runs, and a single block
 * that fell on a random page sent whole megabytes of compressible data to storage uncompressed. One
 * compressible slice in eight already saves more than MIN_SAVING of the sample; the full attempt then
 * decides by its real result. Smaller chunks get fewer slices (at most a quarter of the chunk is sampled);
 * below FULL_ATTEMPT_BYTES the full attempt costs little more than a sample would.
 */
const SAMPLE_LEVEL = 1;
const MAX_SAMPLE_SLICES = 8;
const SLICE_BYTES = 8 * 1024;
const FULL_ATTEMPT_BYTES = 4 * SLICE_BYTES;

function looksCompressible(data: Uint8Array): boolean {
  if (data.length <= FULL_ATTEMPT_BYTES) return true;
  const slices = Math.max(1, Math.min(MAX_SAMPLE_SLICES, Math.floor(data.length / (4 * SLICE_BYTES))));
  if (sampleScratch.length < slices * SLICE_BYTES) sampleScratch = Buffer.allocUnsafeSlow(MAX_SAMPLE_SLICES * SLICE_BYTES);
  const sample = sampleScratch.subarray(0, slices * SLICE_BYTES);
  const stride = slices > 1 ? Math.floor((data.length - SLICE_BYTES) / (slices - 1)) : 0;
  for (let slice = 0; slice < slices; slice++) sample.set(data.subarray(slice * stride, slice * stride + SLICE_BYTES), slice * SLICE_BYTES);
  return compressToScratch(sample, SAMPLE_LEVEL).length < sample.length * (1 - MIN_SAVING);
}

/**
 * Whether the previous chunk sealed by the same sealer compressed. Chunks come mostly in runs of one kind
 * (a file's pages, an album's frames), and for a compressible chunk the sample is pure overhead: about a
 * fifth of its compression time at 64 KiB. So after a chunk that compressed, the next goes straight to the
 * full attempt; after one that did not, it is sampled first. A wrong guess costs one full attempt on noise,
 * which zstd gets through at several GB/s. The decision is still each chunk's own result.
 */
export class CompressionHistory {
  previousCompressed = false;
}

export function sealChunk(dataKey: Buffer, id: Buffer, plaintext: Uint8Array, level: number, metadata: boolean, history = new CompressionHistory()): SealedChunk {
  let payload: Uint8Array = plaintext;
  let flags = metadata ? CHUNK_FLAGS.metadata : 0;
  if (plaintext.length > 64 && (history.previousCompressed || looksCompressible(plaintext))) {
    const compressed = compressToScratch(plaintext, level);
    if (compressed.length < plaintext.length * (1 - MIN_SAVING)) {
      payload = compressed;
      flags |= CHUNK_FLAGS.compressed;
    }
  }
  history.previousCompressed = (flags & CHUNK_FLAGS.compressed) !== 0;
  return { stored: seal(chunkKey(dataKey, id), payload, id), flags };
}

/**
 * No chunk any chunker cuts comes near this (data chunks are at most 4 MiB in any repository the data mover creates, bundles of small
 * files far less): a payload that claims more was not written by the data mover.
 */
export const MAX_CHUNK_PLAINTEXT = 64 * 1024 * 1024;

export class ChunkDecompressionError extends Error {
  override name = 'ChunkDecompressionError';
}

/**
 * Decompresses into a buffer of the size the frame declares, and only if it declares one no larger than
 * MAX_CHUNK_PLAINTEXT and is a single frame: whoever holds the repository's keys can store a payload that
 * expands without bound (a zstd bomb), and a restore must not run out of memory on it.
 */
function boundedDecompress(payload: Buffer): Buffer {
  const size = zstd.getFrameContentSize(payload);
  if (size === null || size > MAX_CHUNK_PLAINTEXT) throw new ChunkDecompressionError(`the compressed chunk declares ${size === null ? 'no' : `a ${size}-byte`} size (at most ${MAX_CHUNK_PLAINTEXT} bytes are accepted)`);
  if (zstd.findFrameCompressedSize(payload) !== payload.length) throw new ChunkDecompressionError('the compressed chunk is not a single frame');
  const plaintext = Buffer.allocUnsafe(size);
  const written = zstd.decompress(plaintext, payload);
  if (written !== size) throw new ChunkDecompressionError(`the compressed chunk declared ${size} bytes and held ${written}`);
  return plaintext;
}

/** Returns undefined if authentication fails; the caller knows which file and object to name. */
export function openChunk(dataKey: Buffer, id: Buffer, stored: Uint8Array, flags: number): Buffer | undefined {
  const payload = open(chunkKey(dataKey, id), stored, id);
  if (!payload) return undefined;
  return flags & CHUNK_FLAGS.compressed ? boundedDecompress(payload) : payload;
}
