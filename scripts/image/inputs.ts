import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Files every build reads besides the application: the build's own code and the pinned Node. */
const BUILD_INPUTS = ['scripts/image', 'scripts/stack/toolchain.ts', 'lib/common/haven-image.ts', '.node-version'];

function walk(root: string, path: string, out: string[]): void {
  const stat = lstatSync(join(root, path), { throwIfNoEntry: false });
  if (!stat) return;
  if (stat.isDirectory()) {
    for (const entry of readdirSync(join(root, path)).sort()) walk(root, join(path, entry), out);
  } else {
    out.push(path);
  }
}

/**
 * A content hash of everything the image is made of: each file's path, mode and bytes under the given
 * paths (symlinks by their target), in a stable order, plus the extra strings (the image reference,
 * the machine's architecture). Any changed source file gives a new hash, hence a new cache entry.
 */
export function inputsHash(root: string, paths: readonly string[], extra: readonly string[] = []): string {
  const hash = createHash('sha256');
  const files: string[] = [];
  for (const path of [...paths, ...BUILD_INPUTS]) walk(root, path, files);
  for (const file of [...new Set(files)].sort()) {
    const full = join(root, file);
    const stat = lstatSync(full);
    const content = stat.isSymbolicLink() ? `-> ${readlinkSync(full)}` : readFileSync(full);
    hash.update(`${relative(root, full)}\0${(stat.mode & 0o777).toString(8)}\0${content.length}\0`);
    hash.update(content);
  }
  for (const value of extra) hash.update(`extra\0${value}\0`);
  return hash.digest('hex').slice(0, 16);
}
