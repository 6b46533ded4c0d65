import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ChunkDecompressionError, MAX_CHUNK_PLAINTEXT, openChunk, sealChunk } from '../../lib/datamover/crypto/chunk-sealing.js';

const dataKey = randomBytes(32);
const id = randomBytes(32);

describe('opening a compressed chunk', () => {
  it('opens what the data mover seals', () => {
    const plaintext = Buffer.alloc(4 * 1024 * 1024, 'haven ');
    const sealed = sealChunk(dataKey, id, plaintext, 3, false);
    expect(sealed.stored.length).toBeLessThan(plaintext.length / 10);
    expect(openChunk(dataKey, id, sealed.stored, sealed.flags)).toEqual(plaintext);
  });

  it('refuses a chunk that expands past any chunk the data mover cuts (a zstd bomb), before allocating it', () => {
    // Whoever holds the repository's keys can seal this: a few kilobytes that claim 96 MiB.
    const bomb = sealChunk(dataKey, id, Buffer.alloc(MAX_CHUNK_PLAINTEXT + 32 * 1024 * 1024), 19, false);
    expect(bomb.stored.length).toBeLessThan(64 * 1024);
    expect(() => openChunk(dataKey, id, bomb.stored, bomb.flags)).toThrow(ChunkDecompressionError);
  });
});
