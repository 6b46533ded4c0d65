import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { KiB, MiB, scaled, writeAt, writeFileInBlocks, type Family } from './family.js';
import { Seeded, textBytes } from './seeded.js';

const FILES = 2;
const FILE_MIB = 1024;
const BLOCK = 4 * KiB;
/** Appended between backups, as a share of the file, and the share of its 4 KiB blocks rewritten. */
const APPEND_SHARE = 0.01;
const REWRITTEN_SHARE = 0.0005;

/**
 * Regions of 1–32 MiB, each text, incompressible, zeros or low entropy, so many chunks straddle two kinds
 * (what a compression decision from one sample gets wrong): a database dump, a tarball, a model file.
 */
class Regions {
  private kind = 0;
  private left = 0;
  constructor(private readonly random: Seeded) {}
  next(length: number): Buffer {
    const parts: Buffer[] = [];
    for (let filled = 0; filled < length; ) {
      if (this.left === 0) {
        this.kind = this.random.int(4);
        this.left = (1 + this.random.int(32)) * MiB - this.random.int(MiB);
      }
      const n = Math.min(this.left, length - filled);
      parts.push(this.kind === 0 ? textBytes(this.random, n) : this.kind === 1 ? this.random.bytes(n) : this.kind === 2 ? Buffer.alloc(n) : this.random.lowEntropy(n));
      this.left -= n;
      filled += n;
    }
    return Buffer.concat(parts);
  }
}

function filePath(root: string, f: number): string {
  return join(root, 'huge', `archive-${f}.bin`);
}

export const hugeFiles: Family = {
  name: 'huge-files',
  summary: 'two 1 GiB files of 1–32 MiB regions (text, incompressible, zeros, low entropy); change: 1 % appended, 0.05 % of 4 KiB blocks rewritten',
  async generate(root, scale) {
    const random = new Seeded('bench-huge');
    const length = scaled(FILE_MIB, scale, 32) * MiB;
    await mkdir(join(root, 'huge'), { recursive: true });
    for (let f = 0; f < FILES; f++) {
      const regions = new Regions(random);
      await writeFileInBlocks(filePath(root, f), length, 8 * MiB, (_offset, n) => regions.next(n));
    }
    return { files: FILES, bytes: FILES * length };
  },
  async change(root, scale) {
    const random = new Seeded('bench-huge-change');
    const length = scaled(FILE_MIB, scale, 32) * MiB;
    let changedBytes = 0;
    for (let f = 0; f < FILES; f++) {
      const blocks = length / BLOCK;
      const writes = [];
      for (let b = 0; b < blocks * REWRITTEN_SHARE; b++) writes.push({ offset: random.int(blocks) * BLOCK, bytes: textBytes(random, BLOCK) });
      changedBytes += await writeAt(filePath(root, f), writes);
      const appended = new Regions(random).next(Math.round(length * APPEND_SHARE));
      await appendFile(filePath(root, f), appended);
      changedBytes += appended.length;
    }
    return { changedBytes };
  },
};
