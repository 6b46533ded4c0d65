import { open, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nsToSeconds } from '../../lib/datamover/restore/times.js';
import { scratchDir } from './helpers/repository-fixture.js';

describe('restored times', () => {
  it('keep the exact microsecond, including whole milliseconds that doubles cannot represent', async () => {
    const scratch = await scratchDir('times');
    try {
      const path = join(scratch.path, 'f');
      await (await open(path, 'w')).close();
      for (let i = 0; i < 500; i++) {
        const micros = 1_795_296_198_000_000n + BigInt(i) * 1_000n + (i % 2 === 0 ? 0n : 999n);
        const seconds = nsToSeconds((micros * 1000n).toString());
        await utimes(path, seconds, seconds);
        expect((await stat(path, { bigint: true })).mtimeNs / 1000n).toBe(micros);
      }
    } finally {
      await scratch.cleanup();
    }
  });
});
