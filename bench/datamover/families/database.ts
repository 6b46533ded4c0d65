import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { KiB, MiB, scaled, writeAt, writeFileInBlocks, type Family } from './family.js';
import { Seeded, textBytes } from './seeded.js';

/** One file per page size a database engine uses: SQLite 4 KiB, PostgreSQL 8 KiB, InnoDB 16 KiB. */
const FILES = [
  { name: 'sqlite/main.db', page: 4 * KiB },
  { name: 'postgres/base/16384/2619', page: 8 * KiB },
  { name: 'mysql/shop/orders.ibd', page: 16 * KiB },
];
const FILE_MIB = 256;
/** Share of pages each incremental rewrites, scattered. */
const CHANGED_SHARE = 0.01;
const HEADER = 24;

/**
 * A page as an engine leaves it: a header, then one of: rows of text packed at the end with zeroed free
 * space between (the common case, the free share varying), a free page (header, zeros), a copy of a
 * recent page (free-space reuse, vacuum), an incompressible blob page (compressed TOAST values, encrypted
 * columns), or an index page (sorted keys, low entropy).
 */
function page(random: Seeded, size: number, recent: Buffer[]): Buffer {
  const kind = random.uint32() / 2 ** 32;
  if (kind < 0.1 && recent.length > 0) return Buffer.from(random.pick(recent));
  const out = Buffer.alloc(size);
  random.bytes(HEADER).copy(out);
  if (kind < 0.22) return out;
  if (kind < 0.42) random.bytes(size - HEADER).copy(out, HEADER);
  else if (kind < 0.52) random.lowEntropy(size - HEADER).copy(out, HEADER);
  else {
    const rows = Math.floor((size - HEADER) * (0.3 + 0.7 * (random.uint32() / 2 ** 32)));
    textBytes(random, rows).copy(out, size - rows);
  }
  return out;
}

function pages(random: Seeded, size: number, length: number, recent: Buffer[]): Buffer {
  const out = Buffer.allocUnsafe(length);
  for (let at = 0; at < length; at += size) {
    const next = page(random, size, recent);
    next.copy(out, at);
    if (random.chance(0.05)) {
      recent.push(next);
      if (recent.length > 256) recent.shift();
    }
  }
  return out;
}

export const database: Family = {
  name: 'database',
  summary: 'three database files with 4, 8 and 16 KiB pages (rows of text with zeroed free space, free, repeated, blob and index pages); change: 1 % of pages rewritten in place, scattered',
  async generate(root, scale) {
    const random = new Seeded('bench-database');
    const length = scaled(FILE_MIB, scale, 4) * MiB;
    for (const file of FILES) {
      await mkdir(join(root, file.name, '..'), { recursive: true });
      const recent: Buffer[] = [];
      await writeFileInBlocks(join(root, file.name), length, 4 * MiB, (_offset, n) => pages(random, file.page, n, recent));
    }
    return { files: FILES.length, bytes: FILES.length * length };
  },
  async change(root, scale) {
    const random = new Seeded('bench-database-change');
    const length = scaled(FILE_MIB, scale, 4) * MiB;
    let changedBytes = 0;
    for (const file of FILES) {
      const count = length / file.page;
      const writes = [];
      for (let i = 0; i < count * CHANGED_SHARE; i++) writes.push({ offset: random.int(count) * file.page, bytes: page(random, file.page, []) });
      changedBytes += await writeAt(join(root, file.name), writes);
    }
    return { changedBytes };
  },
};
