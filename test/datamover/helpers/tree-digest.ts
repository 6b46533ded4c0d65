import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';

/** Everything a restore must reproduce about one entry, in comparable form. */
export interface EntryDigest {
  type: string;
  mode: number;
  uid: number;
  gid: number;
  /** Milliseconds: utimes cannot carry nanoseconds back. */
  mtimeMs: number;
  size: number;
  sha256?: string;
  target?: string;
  /** Names sharing this entry's inode, so hard links compare as a group. */
  links?: string[];
  /** Allocated bytes, to see that sparse files stayed sparse. */
  allocated?: number;
}

/** Walks a tree and returns path → digest. Directory mtimes are included (restore sets them last). */
export async function digestTree(root: string, options: { allocation?: boolean } = {}): Promise<Map<string, EntryDigest>> {
  const result = new Map<string, EntryDigest>();
  const inodes = new Map<bigint, string[]>();
  const visit = async (absolute: string, relative: string) => {
    const stats = await lstat(absolute, { bigint: true });
    const type = stats.isDirectory() ? 'dir' : stats.isSymbolicLink() ? 'symlink' : stats.isFile() ? 'file' : 'other';
    const digest: EntryDigest = {
      type,
      mode: Number(stats.mode & 0o7777n),
      uid: Number(stats.uid),
      gid: Number(stats.gid),
      mtimeMs: Number(stats.mtimeNs / 1_000_000n),
      size: type === 'file' ? Number(stats.size) : 0,
    };
    if (type === 'file') {
      digest.sha256 = createHash('sha256').update(await readFile(absolute)).digest('hex');
      if (options.allocation) digest.allocated = Number(stats.blocks) * 512;
      if (stats.nlink > 1n) {
        const names = inodes.get(stats.ino) ?? [];
        names.push(relative);
        inodes.set(stats.ino, names);
        digest.links = names;
      }
    }
    if (type === 'symlink') digest.target = await readlink(absolute);
    result.set(relative, digest);
    if (type === 'dir') {
      for (const name of (await readdir(absolute)).sort()) await visit(join(absolute, name), relative === '.' ? name : `${relative}/${name}`);
    }
  };
  await visit(root, '.');
  return result;
}

/** Plain objects for toEqual, with link groups sorted. */
export function comparable(digests: Map<string, EntryDigest>): Record<string, EntryDigest> {
  const out: Record<string, EntryDigest> = {};
  for (const [path, digest] of digests) out[path] = digest.links ? { ...digest, links: [...digest.links].sort() } : digest;
  return out;
}
