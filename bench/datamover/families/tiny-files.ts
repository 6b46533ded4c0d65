import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scaled, type Family, type Scale } from './family.js';
import { Seeded, textBytes } from './seeded.js';

const DEFAULT_FILES = 100_000;
const PER_DIRECTORY = 64;
const DIRECTORIES_PER_PARENT = 128;
/** Shares of files rewritten, deleted and added between backups. */
const REWRITTEN = 0.01;
const DELETED = 0.005;
const ADDED = 0.005;

function count(scale: Scale): number {
  return scale.tinyFiles ?? scaled(DEFAULT_FILES, scale, 200);
}

function directory(root: string, f: number): string {
  const leaf = Math.floor(f / PER_DIRECTORY);
  return join(root, 'tiny', `p${Math.floor(leaf / DIRECTORIES_PER_PARENT)}`, `d${leaf % DIRECTORIES_PER_PARENT}`);
}

/** Sizes 0–4 KiB: empty files, text (configuration, JSON), random (keys, thumbnails), and shared content. */
function content(random: Seeded, shared: Buffer[]): Buffer {
  const kind = random.uint32() / 2 ** 32;
  if (kind < 0.05) return Buffer.alloc(0);
  if (kind < 0.15) return random.pick(shared);
  if (kind < 0.75) return textBytes(random, 50 + random.int(4000));
  return random.bytes(16 + random.int(2048));
}

function sharedContents(): Buffer[] {
  const random = new Seeded('bench-tiny-shared');
  return Array.from({ length: 32 }, () => textBytes(random, 100 + random.int(2000)));
}

export const tinyFiles: Family = {
  name: 'tiny-files',
  summary: 'many files of 0–4 KiB (100k at scale 1; `--tiny-files N` for millions), 64 per directory: text, random, empty, one in ten shared content; change: 1 % rewritten, 0.5 % deleted, 0.5 % added, one directory renamed',
  async generate(root, scale) {
    const random = new Seeded('bench-tiny');
    const shared = sharedContents();
    const files = count(scale);
    let bytes = 0;
    for (let f = 0; f < files; f++) {
      if (f % PER_DIRECTORY === 0) mkdirSync(directory(root, f), { recursive: true });
      const data = content(random, shared);
      // Synchronous: a promise per file costs ten times the system calls.
      writeFileSync(join(directory(root, f), `f${f}.dat`), data);
      bytes += data.length;
    }
    return { files, bytes };
  },
  async change(root, scale) {
    const random = new Seeded('bench-tiny-change');
    const shared = sharedContents();
    const files = count(scale);
    let changedBytes = 0;
    for (let i = 0; i < files * REWRITTEN; i++) {
      const f = random.int(files);
      const data = content(random, shared);
      writeFileSync(join(directory(root, f), `f${f}.dat`), data);
      changedBytes += data.length;
    }
    for (let i = 0; i < files * DELETED; i++) {
      const f = random.int(files);
      rmSync(join(directory(root, f), `f${f}.dat`), { force: true });
    }
    for (let i = 0; i < files * ADDED; i++) {
      const data = content(random, shared);
      writeFileSync(join(directory(root, random.int(files)), `new-${i}.dat`), data);
      changedBytes += data.length;
    }
    const moved = directory(root, files - 1);
    renameSync(moved, `${moved}-renamed`);
    return { changedBytes };
  },
};
