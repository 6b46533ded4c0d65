import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { walkTree, type WalkedItem } from '../../services/datamover/backup/tree-walker.js';
import { WalkAhead } from '../../services/datamover/backup/walk-ahead.js';
import { scratchDir } from './helpers/repository-fixture.js';
import { TreeBuilder } from './helpers/tree-builder.js';

function* failingAfter(items: WalkedItem[], error: Error): Generator<WalkedItem> {
  yield* items;
  throw error;
}

describe('walking ahead while a backup starts', () => {
  let scratch: Awaited<ReturnType<typeof scratchDir>>;
  let source: string;

  beforeEach(async () => {
    scratch = await scratchDir('walk-ahead');
    source = join(scratch.path, 'source');
    const tree = new TreeBuilder(source);
    for (let d = 0; d < 3; d++) for (let f = 0; f < 300; f++) await tree.file(`d${d}/f${f}`, `${d}/${f}`);
  });
  afterEach(() => scratch.cleanup());

  it('yields the same entries in the same order as the plain walk, also past its limit and when resumed', async () => {
    const plain = [...walkTree(source)].map((item) => item.path);
    const ahead = new WalkAhead(walkTree(source), 500);
    for (let turn = 0; turn < 10; turn++) await nextTurn();
    expect([...ahead].map((item) => item.path)).toEqual(plain);

    const resumed = new WalkAhead(walkTree(source, 'd1/f150'), 100);
    await nextTurn();
    expect([...resumed].map((item) => item.path)).toEqual(plain.slice(plain.indexOf('d1/f150') + 1));
  });

  it('raises a walk error where it happened, after the entries walked before it', async () => {
    const items = [...walkTree(source)].slice(0, 5);
    const ahead = new WalkAhead(failingAfter(items, new Error('permission denied: d0')), 100);
    await nextTurn();
    const seen: string[] = [];
    expect(() => {
      for (const item of ahead) seen.push(item.path);
    }).toThrow('permission denied: d0');
    expect(seen).toEqual(items.map((item) => item.path));
  });
});
