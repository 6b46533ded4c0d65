import { CHUNK_FLAGS } from '../../../proto/repository/index.js';
import { openChunk } from '../crypto/chunk-sealing.js';
import { readPackTrailer } from '../repository/pack-trailer.js';
import type { Repository } from '../repository/repository.js';

/** A chunk whose stored bytes do not open to content matching its id. */
export interface FailedChunk {
  idHex: string;
  offset: number;
  message: string;
}

export interface PackProof {
  bytes: number;
  chunks: number;
  failed: FailedChunk[];
}

/**
 * Reads a whole pack and proves every chunk its trailer lists, exactly as a restore would open it. The
 * only check that finds altered chunk bytes, and the most expensive: it reads all the data. Throws when the
 * pack cannot be read or its trailer does not open (CorruptObjectError).
 */
export async function provePack(repository: Repository, packKey: string): Promise<PackProof> {
  const pack = await repository.getWhole(packKey);
  const trailer = await readPackTrailer(repository, packKey, pack);
  const failed: FailedChunk[] = [];
  for (const [idHex, offset, storedLength, rawLength, flags] of trailer.chunks) {
    const id = Buffer.from(idHex, 'hex');
    const plaintext = safeOpen(repository.keys.dataKey, id, pack.subarray(offset, offset + storedLength), flags);
    if (!plaintext || plaintext.length !== rawLength || !repository.chunkIdOf(plaintext).equals(id)) {
      failed.push({ idHex, offset, message: `chunk at offset ${offset} does not open to content matching its id${flags & CHUNK_FLAGS.metadata ? ' (metadata)' : ''}` });
    }
  }
  return { bytes: pack.length, chunks: trailer.chunks.length, failed };
}

function safeOpen(dataKey: Buffer, id: Buffer, stored: Buffer, flags: number): Buffer | undefined {
  try {
    return openChunk(dataKey, id, stored, flags);
  } catch {
    return undefined;
  }
}
