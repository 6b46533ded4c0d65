import { appendFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { MiB, scaled, type Family } from './family.js';
import { Seeded, textBytes } from './seeded.js';

const SERVICES = 8;
const LOG_MIB = 12;
const ROTATED_GZ = 3;
/** Appended to each active log between backups, as a share of its size. */
const APPEND_SHARE = 0.02;

function logSize(random: Seeded, scale: { scale: number }): number {
  return Math.round((0.25 + 1.5 * (random.uint32() / 2 ** 32)) * scaled(LOG_MIB, scale, 1) * MiB);
}

function serviceDir(root: string, s: number): string {
  return join(root, 'logs', `service-${s}`);
}

/** gzip at level 1: logrotate's compression, fast enough to generate; the result is incompressible. */
function gz(text: Buffer): Buffer {
  return gzipSync(text, { level: 1 });
}

export const logs: Family = {
  name: 'logs',
  summary: 'eight services, each an active log, a rotated plain log and three gzipped ones; change: every active log grows by 2 %, half the services rotate (oldest deleted, the rest renamed, the plain one gzipped, a new log started)',
  async generate(root, scale) {
    const random = new Seeded('bench-logs');
    let bytes = 0;
    let files = 0;
    for (let s = 0; s < SERVICES; s++) {
      const dir = serviceDir(root, s);
      await mkdir(dir, { recursive: true });
      const contents: [string, Buffer][] = [
        ['app.log', textBytes(random, logSize(random, scale))],
        ['app.log.1', textBytes(random, logSize(random, scale))],
      ];
      for (let g = 2; g < 2 + ROTATED_GZ; g++) contents.push([`app.log.${g}.gz`, gz(textBytes(random, logSize(random, scale)))]);
      for (const [name, data] of contents) {
        await writeFile(join(dir, name), data);
        bytes += data.length;
        files++;
      }
    }
    return { files, bytes };
  },
  async change(root, scale) {
    const random = new Seeded('bench-logs-change');
    let changedBytes = 0;
    for (let s = 0; s < SERVICES; s++) {
      const dir = serviceDir(root, s);
      const appended = textBytes(random, Math.round(APPEND_SHARE * scaled(LOG_MIB, scale, 1) * MiB));
      await appendFile(join(dir, 'app.log'), appended);
      changedBytes += appended.length;
      if (s % 2 === 1) continue;
      const oldest = 1 + ROTATED_GZ;
      await rm(join(dir, `app.log.${oldest}.gz`));
      for (let g = oldest - 1; g >= 2; g--) await rename(join(dir, `app.log.${g}.gz`), join(dir, `app.log.${g + 1}.gz`));
      const compressed = gz(await readFile(join(dir, 'app.log.1')));
      await writeFile(join(dir, 'app.log.2.gz'), compressed);
      await rename(join(dir, 'app.log'), join(dir, 'app.log.1'));
      const fresh = textBytes(random, Math.round(APPEND_SHARE * scaled(LOG_MIB, scale, 1) * MiB));
      await writeFile(join(dir, 'app.log'), fresh);
      changedBytes += compressed.length + fresh.length;
    }
    return { changedBytes };
  },
};
