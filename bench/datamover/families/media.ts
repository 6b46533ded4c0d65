import { copyFile, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KiB, MiB, scaled, type Family } from './family.js';
import { Seeded } from './seeded.js';

const FILES = 24;
const ALBUMS = 4;
const MAX_MIB = 48;

function path(root: string, album: number, name: string): string {
  return join(root, 'media', `album-${album}`, name);
}

/**
 * Incompressible files of 1–48 MiB. One in five repeats an earlier one: an exact copy in another album,
 * or a re-muxed variant (a new 64 KiB header, the same stream, its last MiB trimmed), which only
 * content-defined chunking finds.
 */
export const media: Family = {
  name: 'media',
  summary: 'incompressible files of 1–48 MiB in four albums, one in five a copy or a re-muxed variant of an earlier one; change: two files added, one deleted, one moved to another album, one copied',
  async generate(root, scale) {
    const random = new Seeded('bench-media');
    const count = scaled(FILES, scale, 3);
    for (let a = 0; a < ALBUMS; a++) await mkdir(join(root, 'media', `album-${a}`), { recursive: true });
    const earlier: Buffer[] = [];
    let bytes = 0;
    for (let f = 0; f < count; f++) {
      let data: Buffer;
      if (earlier.length > 0 && random.chance(0.2)) {
        const source = random.pick(earlier);
        data = random.chance(0.5) || source.length < 2 * MiB ? source : Buffer.concat([random.bytes(64 * KiB), source.subarray(0, source.length - MiB)]);
      } else data = random.bytes((1 + random.int(MAX_MIB)) * MiB);
      // Keeping every earlier file would hold the whole family in memory; a few suffice as sources.
      if (earlier.length < 4) earlier.push(data);
      await writeFile(path(root, f % ALBUMS, `clip-${f}.mp4`), data);
      bytes += data.length;
    }
    return { files: count, bytes };
  },
  async change(root, scale) {
    const random = new Seeded('bench-media-change');
    const count = scaled(FILES, scale, 3);
    let changedBytes = 0;
    for (let n = 0; n < 2; n++) {
      const data = random.bytes((1 + random.int(MAX_MIB / 2)) * MiB);
      await writeFile(path(root, n % ALBUMS, `new-${n}.mp4`), data);
      changedBytes += data.length;
    }
    await rm(path(root, (count - 1) % ALBUMS, `clip-${count - 1}.mp4`));
    await rename(path(root, 0, 'clip-0.mp4'), path(root, 1, 'clip-0.mp4'));
    // An exact copy costs no new data but must still be found.
    await copyFile(path(root, 1, 'clip-1.mp4'), path(root, 2, 'copy-of-clip-1.mp4'));
    return { changedBytes };
  },
};
