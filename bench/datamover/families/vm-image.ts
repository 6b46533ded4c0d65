import { mkdir, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KiB, MiB, scaled, writeAt, type Family } from './family.js';
import { Seeded, textBytes } from './seeded.js';

const IMAGES = 2;
const IMAGE_MIB = 1024;
const EXTENT = MiB;
const BLOCK = 4 * KiB;
/** Share of the image's 4 KiB blocks written between backups (anywhere: some land in holes). */
const CHANGED_SHARE = 0.005;

/**
 * What a guest filesystem leaves in an allocated extent: text (configuration, logs, sources), machine
 * code (low entropy), blocks the guest zeroed but did not discard, and compressed packages.
 */
function extent(random: Seeded, length: number): Buffer {
  const kind = random.uint32() / 2 ** 32;
  if (kind < 0.35) return textBytes(random, length);
  if (kind < 0.7) return random.lowEntropy(length);
  if (kind < 0.8) return Buffer.alloc(length);
  return random.bytes(length);
}

function imagePath(root: string, i: number): string {
  return join(root, 'images', `vm-${i}.img`);
}

export const vmImage: Family = {
  name: 'vm-image',
  summary: 'two sparse VM disk images (about 45 % holes; text, machine code, zeroed and compressed extents); change: 0.5 % of 4 KiB blocks written, scattered, some into holes',
  async generate(root, scale) {
    const random = new Seeded('bench-vm-image');
    const size = scaled(IMAGE_MIB, scale, 16) * MiB;
    await mkdir(join(root, 'images'), { recursive: true });
    let bytes = 0;
    for (let i = 0; i < IMAGES; i++) {
      await writeFile(imagePath(root, i), '');
      await truncate(imagePath(root, i), size);
      const writes = [];
      for (let offset = 0; offset < size; offset += EXTENT) if (!random.chance(0.45)) writes.push({ offset, bytes: extent(random, EXTENT) });
      bytes += await writeAt(imagePath(root, i), writes);
    }
    return { files: IMAGES, bytes };
  },
  async change(root, scale) {
    const random = new Seeded('bench-vm-image-change');
    const size = scaled(IMAGE_MIB, scale, 16) * MiB;
    let changedBytes = 0;
    for (let i = 0; i < IMAGES; i++) {
      const blocks = size / BLOCK;
      const writes = [];
      for (let b = 0; b < blocks * CHANGED_SHARE; b++) writes.push({ offset: random.int(blocks) * BLOCK, bytes: extent(random, BLOCK) });
      changedBytes += await writeAt(imagePath(root, i), writes);
    }
    return { changedBytes };
  },
};
