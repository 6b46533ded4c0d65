import { CHUNK_FLAGS } from '../../../proto/repository/index.js';
import { openChunk } from '../crypto/chunk-sealing.js';
import { DataMoverError } from '../errors.js';
import { ChunkIdSet, ChunkIndex } from '../repository/chunk-index.js';
import { readIndexObject } from '../repository/index-store.js';
import { INDEX_PREFIX, PACKS_PREFIX } from '../repository/layout.js';
import { readPackTrailer } from '../repository/pack-trailer.js';
import type { Repository } from '../repository/repository.js';
import { ChunkReader } from '../restore/chunk-reader.js';
import { forEachReferencedChunk } from './live-chunks.js';

export interface VerifyOptions {
  /** Share of packs read back in full (0..1]; every snapshot's references are checked regardless. */
  sample?: number;
  random?: () => number;
}

export interface VerifyProblem {
  objectKey: string;
  chunkId?: string;
  path?: string;
  message: string;
}

export interface VerifyReport {
  snapshots: number;
  entries: number;
  referencedChunks: number;
  packs: number;
  packsRead: number;
  chunksRead: number;
  bytesRead: number;
  unindexedPacks: number;
  problems: VerifyProblem[];
}

const MAX_PROBLEMS = 1000;

/**
 * Checks a repository the way a restore would need it: every index and snapshot opens, every chunk a
 * snapshot references is indexed, and (for the sampled packs) every stored chunk decrypts to content
 * matching its id. Problems are collected, not thrown, so one run lists all damage.
 */
export async function verifyRepository(repository: Repository, options: VerifyOptions = {}): Promise<VerifyReport> {
  const sample = options.sample ?? 1;
  const random = options.random ?? Math.random;
  const report: VerifyReport = { snapshots: 0, entries: 0, referencedChunks: 0, packs: 0, packsRead: 0, chunksRead: 0, bytesRead: 0, unindexedPacks: 0, problems: [] };
  const problem = (found: VerifyProblem) => {
    if (report.problems.length < MAX_PROBLEMS) report.problems.push(found);
  };
  const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

  const index = new ChunkIndex();
  const indexedPacks = new Set<string>();
  for await (const object of repository.backend.list(INDEX_PREFIX)) {
    try {
      for (const pack of (await readIndexObject(repository, object.key)).packs) {
        indexedPacks.add(pack.key);
        for (const [idHex, offset, storedLength, rawLength, flags] of pack.chunks) {
          index.add(Buffer.from(idHex, 'hex'), { packKey: pack.key, offset, storedLength, rawLength, flags });
        }
      }
    } catch (error) {
      problem({ objectKey: object.key, message: describe(error) });
    }
  }

  const reader = new ChunkReader(repository, index);
  const seen = new ChunkIdSet();
  for await (const object of repository.backend.list('snapshots/')) {
    const snapshotId = object.key.slice('snapshots/'.length);
    try {
      const snapshot = await repository.readSnapshot(snapshotId);
      report.snapshots++;
      report.entries += await forEachReferencedChunk(snapshot, reader, (idHex, path) => {
        const id = Buffer.from(idHex, 'hex');
        if (seen.has(id)) return;
        seen.add(id);
        report.referencedChunks++;
        if (!index.has(id)) problem({ objectKey: object.key, chunkId: idHex, path, message: 'referenced chunk is in no index' });
      });
    } catch (error) {
      problem({ objectKey: error instanceof DataMoverError && 'objectKey' in error ? String(error.objectKey) : object.key, message: describe(error) });
    }
  }

  for await (const object of repository.backend.list(PACKS_PREFIX)) {
    report.packs++;
    if (!indexedPacks.has(object.key)) report.unindexedPacks++;
    if (random() >= sample) continue;
    report.packsRead++;
    try {
      const pack = await repository.backend.get(object.key);
      report.bytesRead += pack.length;
      const trailer = await readPackTrailer(repository, object.key, pack);
      for (const [idHex, offset, storedLength, rawLength, flags] of trailer.chunks) {
        report.chunksRead++;
        const id = Buffer.from(idHex, 'hex');
        const plaintext = safeOpen(repository.keys.dataKey, id, pack.subarray(offset, offset + storedLength), flags);
        if (!plaintext || plaintext.length !== rawLength || !repository.chunkIdOf(plaintext).equals(id)) {
          problem({ objectKey: object.key, chunkId: idHex, message: `chunk at offset ${offset} fails verification${flags & CHUNK_FLAGS.metadata ? ' (metadata)' : ''}` });
        }
      }
    } catch (error) {
      problem({ objectKey: object.key, message: describe(error) });
    }
  }
  return report;
}

function safeOpen(dataKey: Buffer, id: Buffer, stored: Buffer, flags: number): Buffer | undefined {
  try {
    return openChunk(dataKey, id, stored, flags);
  } catch {
    return undefined;
  }
}
