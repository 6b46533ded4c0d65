import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CHUNK_FLAGS } from '../../proto/repository/index.js';
import { openChunk, sealChunk } from '../../lib/datamover/crypto/chunk-sealing.js';

const dataKey = randomBytes(32);
const id = randomBytes(32);
const KiB = 1024;

/** Text that compresses about 3× (numbers differ line to line), not a repeated sentence. */
function text(length: number): Buffer {
  let out = '';
  for (let i = 0; out.length < length; i++) out += `${i} INFO request ${(i * 2654435761) % 100_000} took ${i % 977} ms\n`;
  return Buffer.from(out).subarray(0, length);
}

function sealed(plaintext: Buffer) {
  const result = sealChunk(dataKey, id, plaintext, 3, false);
  expect(openChunk(dataKey, id, result.stored, result.flags)).toEqual(plaintext);
  return result;
}

describe('the compression decision', () => {
  it('compresses a chunk of database pages whose middle is random: the decision samples the whole chunk', () => {
    // Random 4 KiB pages around the centre (where a single sample used to be taken), text pages elsewhere.
    const pages: Buffer[] = [];
    for (let page = 0; page < 256; page++) pages.push(page >= 112 && page < 144 ? randomBytes(4 * KiB) : text(4 * KiB));
    const chunk = sealed(Buffer.concat(pages));
    expect(chunk.flags & CHUNK_FLAGS.compressed).toBeTruthy();
    expect(chunk.stored.length).toBeLessThan(0.6 * 1024 * KiB);
  });

  it('compresses a mostly random chunk with zero runs between its pages', () => {
    const pages: Buffer[] = [];
    for (let page = 0; page < 128; page++) pages.push(page % 4 === 3 ? Buffer.alloc(8 * KiB) : randomBytes(8 * KiB));
    const chunk = sealed(Buffer.concat(pages));
    expect(chunk.flags & CHUNK_FLAGS.compressed).toBeTruthy();
    expect(chunk.stored.length).toBeLessThan(0.8 * 1024 * KiB);
  });

  it('stores incompressible chunks as they are, whatever their size', () => {
    for (const size of [200, 20 * KiB, 70 * KiB, 300 * KiB, 1024 * KiB]) {
      const chunk = sealed(randomBytes(size));
      expect(chunk.flags & CHUNK_FLAGS.compressed).toBe(0);
    }
  });
});
