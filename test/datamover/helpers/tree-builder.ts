import { createHash } from 'node:crypto';
import { chmod, link, lutimes, mkdir, open, symlink, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** Deterministic pseudo-random bytes (so test data is reproducible and incompressible). */
export function pseudoRandomBytes(length: number, seed: string): Buffer {
  const out = Buffer.allocUnsafe(length);
  let counter = 0;
  for (let offset = 0; offset < length; offset += 32) {
    createHash('sha256').update(`${seed}:${counter++}`).digest().copy(out, offset);
  }
  return out;
}

/** Text-like bytes that compress well. */
export function textBytes(length: number, seed: string): Buffer {
  const words = ['volume', 'backup', 'restore', 'chunk', 'pack', 'index', 'manifest', seed];
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < length; i++) {
    const word = `${words[(i * 7 + seed.length) % words.length]}${i % 13} `;
    parts.push(word);
    size += word.length;
  }
  return Buffer.from(parts.join('')).subarray(0, length);
}

export class TreeBuilder {
  constructor(readonly root: string) {}

  private at(path: string): string {
    return join(this.root, ...path.split('/'));
  }

  async file(path: string, content: Buffer | string, mode = 0o644, mtime?: Date): Promise<this> {
    await mkdir(dirname(this.at(path)), { recursive: true });
    await writeFile(this.at(path), content);
    await chmod(this.at(path), mode);
    if (mtime) await utimes(this.at(path), mtime, mtime);
    return this;
  }

  async dir(path: string, mode = 0o755): Promise<this> {
    await mkdir(this.at(path), { recursive: true });
    await chmod(this.at(path), mode);
    return this;
  }

  async symlink(path: string, target: string): Promise<this> {
    await mkdir(dirname(this.at(path)), { recursive: true });
    await symlink(target, this.at(path));
    const when = new Date('2020-01-02T03:04:05Z');
    await lutimes(this.at(path), when, when);
    return this;
  }

  async hardlink(path: string, existing: string): Promise<this> {
    await mkdir(dirname(this.at(path)), { recursive: true });
    await link(this.at(existing), this.at(path));
    return this;
  }

  /** A file of `size` bytes with data only at the given offsets. */
  async sparse(path: string, size: number, data: { offset: number; bytes: Buffer }[]): Promise<this> {
    await mkdir(dirname(this.at(path)), { recursive: true });
    const handle = await open(this.at(path), 'w');
    try {
      await handle.truncate(size);
      for (const { offset, bytes } of data) await handle.write(bytes, 0, bytes.length, offset);
    } finally {
      await handle.close();
    }
    return this;
  }
}
