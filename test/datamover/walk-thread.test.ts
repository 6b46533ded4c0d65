import { execFileSync } from 'node:child_process';
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WalkedItem } from '../../lib/datamover/backup/tree-walker.js';
import { walkInBatches } from '../../lib/datamover/backup/walk-batches.js';
import { startWalk, type WalkTuning } from '../../lib/datamover/backup/walk-thread.js';
import { scratchDir } from './helpers/repository-fixture.js';
import { pseudoRandomBytes, TreeBuilder } from './helpers/tree-builder.js';

async function walkedOnThread(root: string, startAfter?: string, tuning?: WalkTuning): Promise<WalkedItem[]> {
  const walk = startWalk(root, startAfter, true, tuning);
  const items: WalkedItem[] = [];
  try {
    for await (const batch of walk.batches()) items.push(...batch);
  } finally {
    await walk.close();
  }
  return items;
}

describe('the walk on its own thread', () => {
  let scratch: Awaited<ReturnType<typeof scratchDir>>;
  let source: string;

  beforeAll(async () => {
    scratch = await scratchDir('walk-thread');
    source = join(scratch.path, 'source');
    const tree = new TreeBuilder(source);
    for (let i = 0; i < 300; i++) await tree.file(`many/d${i % 7}/f${i}.txt`, `file ${i}`);
    await tree.file('big.bin', pseudoRandomBytes(300_000, 'big'));
    await tree.file('empty', '');
    await tree.file('names/ünï cødé "quoted" \\ back\tslash.txt', 'awkward');
    await tree.file('names/\u{1F600} emoji.txt', 'emoji');
    await tree.file('exec.sh', '#!/bin/sh\n', 0o755);
    await tree.sparse('sparse.img', 4 * 1024 * 1024, [{ offset: 1024 * 1024, bytes: pseudoRandomBytes(10_000, 'island') }]);
    await tree.hardlink('many/link-to-f1', 'many/d1/f1.txt');
    await tree.symlink('symlink', 'big.bin');
    execFileSync('mkfifo', [join(source, 'pipe')]);
  });
  afterAll(() => scratch.cleanup());

  it('yields exactly what the walk on the calling thread yields: entries, absolute paths, sparse flags', async () => {
    const inline = [...walkInBatches(source)].flat();
    expect(inline.length).toBeGreaterThan(310);
    expect(inline.find((item) => item.entry.path === 'pipe')!.entry.type).toBe('fifo');
    expect(inline.find((item) => item.entry.path === 'sparse.img')!.sparse).toBe(true);
    expect(inline.find((item) => item.entry.path === 'many/d1/f1.txt')!.entry.nlink).toBe(2);
    expect(await walkedOnThread(source)).toEqual(inline);
  });

  it('resumes after a path like the inline walk, and keeps order through many small batches under flow control', async () => {
    const inline = [...walkInBatches(source, 'many/d3/f101.txt')].flat();
    expect(inline[0]!.entry.path > 'many/d3/f101.txt').toBe(true);
    // 2 entries per batch and 1 batch ahead: the thread must wait for every acknowledgement.
    expect(await walkedOnThread(source, 'many/d3/f101.txt', { batchEntries: 2, aheadBatches: 1 })).toEqual(inline);
  });

  it('a failure on the thread reaches the backup with its system error code and path', async () => {
    const missing = join(scratch.path, 'no-such-volume');
    const failure = await walkedOnThread(missing).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'ENOENT', syscall: 'lstat', path: missing });
  });

  it('an unreadable directory fails the walk with EACCES as the inline walk does (when not root)', async () => {
    const locked = join(scratch.path, 'locked');
    const tree = new TreeBuilder(locked);
    await tree.file('inner/secret', 'x');
    await chmod(join(locked, 'inner'), 0o000);
    try {
      const inline = (() => {
        try {
          return [...walkInBatches(locked)].flat();
        } catch (error) {
          return error;
        }
      })();
      const threaded = await walkedOnThread(locked).catch((error: unknown) => error);
      // Root reads it anyway; either way both walks agree.
      if (inline instanceof Error) expect(threaded).toMatchObject({ code: (inline as NodeJS.ErrnoException).code, path: (inline as NodeJS.ErrnoException).path });
      else expect(threaded).toEqual(inline);
    } finally {
      await chmod(join(locked, 'inner'), 0o755);
    }
  });
});
