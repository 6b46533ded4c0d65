import { sealChunk } from '../crypto/chunk-sealing.js';
import type { ChunkSealer } from './chunk-store.js';

/** Seals on the calling thread: the library default, and what runs where worker threads cannot load TypeScript. */
export function inlineSealer(dataKey: Buffer, compressionLevel: number): ChunkSealer {
  return {
    submit: async (id, data, metadata) => ({ sealed: Promise.resolve(sealChunk(dataKey, id, data, compressionLevel, metadata)) }),
    close: async () => {},
  };
}
