import { CompressionHistory, sealChunk } from '../crypto/chunk-sealing.js';
import { chunkId } from '../crypto/chunk-id.js';
import type { ChunkSealer } from './chunk-store.js';

/**
 * Hashes and seals on the calling thread: the library default, and what runs where worker threads cannot
 * load TypeScript. The caller reuses its buffer once `submit` resolves and sealing comes later, so a new
 * chunk keeps a copy.
 */
export function inlineSealer(keys: { dataKey: Buffer; idKey: Buffer }, compressionLevel: number): ChunkSealer {
  const history = new CompressionHistory();
  return {
    submit: async (data, metadata) => {
      const id = chunkId(keys.idKey, data);
      const copy = Buffer.from(data);
      return { hashed: Promise.resolve({ id, seal: async () => sealChunk(keys.dataKey, id, copy, compressionLevel, metadata, history), drop: () => {} }) };
    },
    close: async () => {},
  };
}
