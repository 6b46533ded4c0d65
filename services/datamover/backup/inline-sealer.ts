import { sealChunk } from '../crypto/chunk-sealing.js';
import type { ChunkSealer } from './chunk-store.js';

/** Seals on the calling thread; used for tiny runs and as the reference for the worker pool. */
export function inlineSealer(dataKey: Buffer, compressionLevel: number): ChunkSealer {
  return {
    seal: async (id, data, metadata) => sealChunk(dataKey, id, data, compressionLevel, metadata),
    close: async () => {},
  };
}
