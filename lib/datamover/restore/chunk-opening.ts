import { openChunk } from '../crypto/chunk-sealing.js';
import { chunkId } from '../crypto/chunk-id.js';
import { ChunkVerificationError } from '../errors.js';

/** What opening a chunk needs to know about where and how it was stored. */
export interface StoredChunk {
  idHex: string;
  packKey: string;
  rawLength: number;
  flags: number;
}

export interface OpeningKeys {
  dataKey: Buffer;
  idKey: Buffer;
}

/**
 * Opens a stored chunk and proves it: the AEAD tag authenticates the stored bytes under the chunk's own
 * key, and the keyed id is recomputed over the plaintext. A plain function of keys and bytes, so the
 * restore writer threads run exactly what the main thread runs. Failures name the file being restored.
 */
export function openVerifiedChunk(keys: OpeningKeys, chunk: StoredChunk, stored: Uint8Array, path: string | undefined): Buffer {
  const id = Buffer.from(chunk.idHex, 'hex');
  let plaintext: Buffer | undefined;
  try {
    plaintext = openChunk(keys.dataKey, id, stored, chunk.flags);
  } catch (error) {
    throw new ChunkVerificationError(chunk.idHex, chunk.packKey, path, `undecodable: ${(error as Error).message}`);
  }
  if (!plaintext) throw new ChunkVerificationError(chunk.idHex, chunk.packKey, path, 'authentication failed (altered or truncated)');
  if (plaintext.length !== chunk.rawLength || !chunkId(keys.idKey, plaintext).equals(id)) {
    throw new ChunkVerificationError(chunk.idHex, chunk.packKey, path, 'content does not match its id');
  }
  return plaintext;
}
