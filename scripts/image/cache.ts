import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cacheDir } from '../stack/paths.js';

/** Everything the image build caches lives here, outside the repository: one folder per content hash. */
export const imageCacheDir = join(cacheDir, 'image');

const COMPLETE = '.complete';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Returns `<image cache>/<key>`, building it first when no complete build is there. The build writes into
 * a private folder renamed into place when done, so an interrupted build is never trusted. A lock
 * folder holding the builder's pid makes concurrent callers (two test files, a test and `npm run image`)
 * wait for one build instead of racing; a lock whose builder died is taken over.
 */
export async function cachedBuild(key: string, build: (outDir: string) => Promise<void>): Promise<string> {
  const dir = join(imageCacheDir, key);
  if (existsSync(join(dir, COMPLETE))) return dir;
  mkdirSync(imageCacheDir, { recursive: true });
  const lock = join(imageCacheDir, `.lock-${key}`);
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(readFileSync(join(lock, 'pid'), 'utf8').trim() || '0');
      if (holder && !alive(holder)) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      await sleep(500);
      if (existsSync(join(dir, COMPLETE))) return dir;
    }
  }
  try {
    if (existsSync(join(dir, COMPLETE))) return dir;
    const work = join(imageCacheDir, `.build-${key}-${process.pid}`);
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    try {
      await build(work);
      writeFileSync(join(work, COMPLETE), new Date().toISOString());
      rmSync(dir, { recursive: true, force: true });
      renameSync(work, dir);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
    return dir;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
