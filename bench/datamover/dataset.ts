import { createCipheriv, createHash } from 'node:crypto';
import { mkdir, open, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const MiB = 1024 * 1024;
const PAGE = 4096;

export interface DatasetShape {
  /** Database-like files: 4 KiB pages, half random, half text, with scattered repeated pages. */
  dbFiles: number;
  dbFileMiB: number;
  /** Incompressible files (media, archives). */
  randomFiles: number;
  randomFileMiB: number;
  smallFiles: number;
}

/** About 2.2 GB (2.06 GiB): 1.5 GiB of database files, 384 MiB incompressible, 50k small files of ~4 KB. */
export const DEFAULT_SHAPE: DatasetShape = { dbFiles: 2, dbFileMiB: 768, randomFiles: 12, randomFileMiB: 32, smallFiles: 50_000 };

/** A seeded generator (AES-CTR keystream), so every tool and every run sees the same bytes. */
class Seeded {
  private counter = 0;
  constructor(private readonly seed: string) {}
  bytes(length: number): Buffer {
    const key = createHash('sha256').update(`${this.seed}:${this.counter++}`).digest();
    return createCipheriv('aes-256-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(length));
  }
  int(max: number): number {
    return this.bytes(4).readUInt32LE(0) % max;
  }
}

const TEXT = Buffer.from('INSERT INTO events (id, tenant, kind, payload) VALUES (42, \'acme\', \'backup.completed\', \'{"ok":true}\');\n'.repeat(64));

function dbBlock(random: Seeded, previous: Buffer[], length: number): Buffer {
  const block = random.bytes(length);
  for (let page = 0; page < length; page += PAGE) {
    TEXT.copy(block, page + PAGE / 2, 0, PAGE / 2);
    // One page in eight repeats a page seen earlier: the dedup a database's free-space reuse produces.
    if (page % (8 * PAGE) === 0 && previous.length > 0) {
      const source = previous[random.int(previous.length)]!;
      source.copy(block, page, 0, PAGE);
    }
  }
  return block;
}

export async function generateDataset(root: string, shape: DatasetShape): Promise<{ files: number; bytes: number }> {
  await rm(root, { recursive: true, force: true });
  const random = new Seeded('haven-bench');
  let bytes = 0;
  await mkdir(join(root, 'db'), { recursive: true });
  for (let f = 0; f < shape.dbFiles; f++) {
    const handle = await open(join(root, 'db', `table-${f}.db`), 'w');
    const pages: Buffer[] = [];
    for (let written = 0; written < shape.dbFileMiB * MiB; written += 8 * MiB) {
      const block = dbBlock(random, pages, 8 * MiB);
      pages.push(block.subarray(0, PAGE));
      if (pages.length > 64) pages.shift();
      await handle.write(block);
      bytes += block.length;
    }
    await handle.close();
  }
  await mkdir(join(root, 'media'), { recursive: true });
  for (let f = 0; f < shape.randomFiles; f++) {
    const data = random.bytes(shape.randomFileMiB * MiB);
    await writeFile(join(root, 'media', `clip-${f}.bin`), data);
    bytes += data.length;
  }
  const writes: Promise<void>[] = [];
  for (let f = 0; f < shape.smallFiles; f++) {
    const dir = join(root, 'app', `d${f % 500}`);
    if (f < 500) await mkdir(dir, { recursive: true });
    const length = 100 + random.int(8000);
    const content = Buffer.concat([TEXT.subarray(0, length / 2), random.bytes(length - Math.floor(length / 2))]);
    bytes += content.length;
    writes.push(writeFile(join(dir, `file-${f}.json`), content));
    if (writes.length >= 64) await Promise.all(writes.splice(0));
  }
  await Promise.all(writes);
  return { files: shape.dbFiles + shape.randomFiles + shape.smallFiles, bytes };
}

/**
 * About 1 % of the data changes: scattered 4 KiB page writes in the database files, rewritten small files,
 * and 1 % of small files added and deleted.
 */
export async function applyScatteredChanges(root: string, shape: DatasetShape): Promise<void> {
  const random = new Seeded('haven-bench-change');
  for (let f = 0; f < shape.dbFiles; f++) {
    const handle = await open(join(root, 'db', `table-${f}.db`), 'r+');
    const pages = (shape.dbFileMiB * MiB) / PAGE;
    for (let i = 0; i < pages / 100; i++) await handle.write(random.bytes(PAGE), 0, PAGE, random.int(pages) * PAGE);
    await handle.close();
  }
  const appDirs = await readdir(join(root, 'app'));
  for (let i = 0; i < shape.smallFiles / 100; i++) {
    const f = random.int(shape.smallFiles);
    const path = join(root, 'app', `d${f % 500}`, `file-${f}.json`);
    if (i % 2 === 0) await rm(path, { force: true });
    else await writeFile(path, random.bytes(200 + random.int(4000)));
    await writeFile(join(root, 'app', appDirs[i % appDirs.length]!, `added-${i}.json`), random.bytes(100 + random.int(4000)));
  }
}

