import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { runBackup } from '../../lib/datamover/backup/backup.js';
import { collectGarbage } from '../../lib/datamover/maintenance/gc.js';
import { INDEX_PREFIX, LOCKS_PREFIX, lockKey, TOMBSTONES_PREFIX } from '../../lib/datamover/repository/layout.js';
import { Repository } from '../../lib/datamover/repository/repository.js';
import { SessionLockHandle } from '../../lib/datamover/repository/session-lock.js';
import { localBackend, TEST_SECRET } from './helpers/repository-fixture.js';
import { keysUnder, repositoryScene, withOverrides } from './helpers/repository-scene.js';
import { TreeBuilder } from './helpers/tree-builder.js';

const HOUR = 3_600_000;

describe('one GC at a time', () => {
  const scene = repositoryScene('gc-turns');
  const { clock, advance } = scene;

  beforeEach(async () => {
    await new TreeBuilder(join(scene.path, 'a')).file('a.bin', randomBytes(500_000));
    for (const volume of ['a', 'b']) {
      const { snapshot } = await runBackup(scene.repository, { source: join(scene.path, 'a'), volume, parent: 'none', clock });
      await scene.repository.deleteSnapshot(snapshot.id);
    }
    advance(2 * HOUR);
  });

  it('gives way to a live GC that started before it, and runs once that one is gone', async () => {
    const other = await SessionLockHandle.acquire(scene.repository, 'other-gc', 'gc', clock);
    advance(1_000);
    const indexes = await keysUnder(scene.repository, INDEX_PREFIX);
    let report;
    try {
      report = await collectGarbage(scene.repository, { graceMs: HOUR, clock });
    } finally {
      await other.release();
    }
    expect(report.ran).toBe(false);
    expect(report.gaveWayTo).toBe('other-gc');
    expect(report.condemnedPacks).toBe(0);
    expect(await keysUnder(scene.repository, TOMBSTONES_PREFIX)).toEqual([]);
    expect(await keysUnder(scene.repository, INDEX_PREFIX)).toEqual(indexes);
    expect(await keysUnder(scene.repository, LOCKS_PREFIX)).toEqual([]);

    const alone = await collectGarbage(scene.repository, { graceMs: HOUR, clock });
    expect(alone.ran).toBe(true);
    expect(alone.condemnedPacks).toBeGreaterThan(0);
  });

  it('a GC lock not rewritten for longer than the stale time holds nothing back', async () => {
    const dead = await SessionLockHandle.acquire(scene.repository, 'dead-gc', 'gc', clock);
    try {
      advance(20 * 60_000);
      const report = await collectGarbage(scene.repository, { graceMs: HOUR, clock });
      expect(report.ran).toBe(true);
      expect(report.condemnedPacks).toBeGreaterThan(0);
    } finally {
      await dead.release();
    }
  });

  it('of two GCs started in the same instant, never both run at once', async () => {
    for (let round = 0; round < 5; round++) {
      // When each first looked at the locks, and when it took its own away (one counter for both).
      let tick = 0;
      const turns = [0, 1].map(() => ({ looked: 0, released: 0 }));
      const reports = await Promise.all(
        turns.map(async (turn) => {
          const backend = localBackend(scene.root, { clock });
          const watched = withOverrides(backend, {
            list: (prefix) => {
              if (prefix === LOCKS_PREFIX && turn.looked === 0) turn.looked = ++tick;
              return backend.list(prefix);
            },
            delete: async (key) => {
              if (key.startsWith(LOCKS_PREFIX)) turn.released = ++tick;
              return backend.delete(key);
            },
          });
          return collectGarbage(await Repository.open(watched, TEST_SECRET), { graceMs: HOUR, clock });
        }),
      );
      const described = JSON.stringify({ reports, turns });
      for (const report of reports) if (!report.ran) expect(report.gaveWayTo, described).toBeDefined();
      // Both may run only one after the other: the second looked after the first had gone (on a busy
      // machine one can finish before the other has even written its lock).
      if (reports.every((report) => report.ran)) expect(turns[0]!.looked > turns[1]!.released || turns[1]!.looked > turns[0]!.released, described).toBe(true);
      advance(2 * HOUR);
    }
    // Each pass that ran condemned what it found: never two tombstones from one instant.
    expect((await keysUnder(scene.repository, TOMBSTONES_PREFIX)).length).toBeLessThanOrEqual(5);
  });

  it('looks again before deleting anything: a GC that goes before it and showed up late still wins', async () => {
    let rivalWritten = false;
    const backend = scene.repository.backend;
    const hooked = withOverrides(backend, {
      list: async function* (prefix) {
        if (prefix === INDEX_PREFIX && !rivalWritten) {
          rivalWritten = true;
          // Its lock's PUT started a second before ours but landed after our first look.
          const startedAt = new Date(clock().getTime() - 1_000).toISOString();
          const lock = { version: 1, sessionId: 'late-rival', kind: 'gc', hostname: 'h', pid: 1, startedAt, refreshedAt: startedAt };
          await backend.put(lockKey('late-rival'), Buffer.from(JSON.stringify(lock)), { unretained: true });
        }
        yield* backend.list(prefix);
      },
    });
    const indexes = await keysUnder(scene.repository, INDEX_PREFIX);
    const report = await collectGarbage(await Repository.open(hooked, TEST_SECRET), { graceMs: HOUR, clock });
    expect(rivalWritten).toBe(true);
    expect(report.ran).toBe(false);
    expect(report.gaveWayTo).toBe('late-rival');
    expect(await keysUnder(scene.repository, TOMBSTONES_PREFIX)).toEqual([]);
    expect(await keysUnder(scene.repository, INDEX_PREFIX)).toEqual(indexes);
    expect(await keysUnder(scene.repository, LOCKS_PREFIX)).toEqual([lockKey('late-rival')]);
  });
});
