import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Tombstone } from '../../proto/repository/index.js';
import { runBackup } from '../../lib/datamover/backup/backup.js';
import { collectGarbage } from '../../lib/datamover/maintenance/gc.js';
import { lockKey, PACKS_PREFIX, tombstoneKey } from '../../lib/datamover/repository/layout.js';
import { SessionLockHandle } from '../../lib/datamover/repository/session-lock.js';
import { keysUnder, repositoryScene } from './helpers/repository-scene.js';
import { TreeBuilder } from './helpers/tree-builder.js';

const HOUR = 3_600_000;

/**
 * Ages are judged by the storage server's clock (objects' LastModified), never by a node's: the repository's
 * clock below is the server's, and GC or movers are handed clocks hours away from it.
 */
describe('GC judges every age by the storage server clock', () => {
  const scene = repositoryScene('gc-skew');
  const { clock: server, advance } = scene;
  const skewed = (ms: number) => () => new Date(server().getTime() + ms);

  beforeEach(async () => {
    await new TreeBuilder(join(scene.path, 'a')).file('a.bin', randomBytes(1_000_000)).then((tree) => tree.file('a-small.txt', 'a'));
  });

  /** A volume backed up and its snapshot forgotten: its packs are garbage once old enough. */
  async function forgottenBackup(): Promise<string> {
    const { snapshot } = await runBackup(scene.repository, { source: join(scene.path, 'a'), volume: 'a', parent: 'none', clock: server });
    await scene.repository.deleteSnapshot(snapshot.id);
    return snapshot.id;
  }

  /** What a mover's lock holds, written as the mover (with its own clock) would write it. */
  async function writeMoverLock(sessionId: string, moverClock: () => Date): Promise<void> {
    const at = moverClock().toISOString();
    const lock = { version: 1, sessionId, kind: 'backup', hostname: 'mover', pid: 1, startedAt: at, refreshedAt: at };
    await scene.repository.backend.put(lockKey(sessionId), Buffer.from(JSON.stringify(lock)), { unretained: true });
  }

  it('a GC whose clock runs hours ahead neither condemns young packs nor deletes before the grace period', async () => {
    await forgottenBackup();
    const ahead = await collectGarbage(scene.repository, { graceMs: HOUR, clock: skewed(10 * HOUR) });
    expect(ahead.condemnedPacks).toBe(0);

    advance(2 * HOUR);
    const condemning = await collectGarbage(scene.repository, { graceMs: HOUR, clock: server });
    expect(condemning.condemnedPacks).toBeGreaterThan(0);
    const early = await collectGarbage(scene.repository, { graceMs: HOUR, clock: skewed(10 * HOUR) });
    expect(early.deletedPacks).toBe(0);
    expect(early.waitingTombstones).toBe(1);
    expect((await keysUnder(scene.repository, PACKS_PREFIX)).length).toBeGreaterThan(0);
  });

  it('a tombstone is as old as its object, whatever the clock of the GC that wrote it said', async () => {
    await forgottenBackup();
    advance(2 * HOUR);
    const packs = await keysUnder(scene.repository, PACKS_PREFIX);
    // Written just now by a GC whose clock was ten hours behind.
    const createdAt = new Date(server().getTime() - 10 * HOUR).toISOString();
    await scene.repository.putObject(tombstoneKey(server()), { version: 1, createdAt, packs } satisfies Tombstone, { unretained: true });
    const report = await collectGarbage(scene.repository, { graceMs: HOUR, clock: server });
    expect(report.deletedPacks).toBe(0);
    expect(report.waitingTombstones).toBe(1);
    expect(await keysUnder(scene.repository, PACKS_PREFIX)).toEqual(packs);
  });

  it('a lock refreshed just now by a mover whose clock is behind is live: its session\'s packs are not condemned', async () => {
    const sessionId = await forgottenBackup();
    advance(2 * HOUR);
    await writeMoverLock(sessionId, skewed(-HOUR));
    const report = await collectGarbage(scene.repository, { graceMs: HOUR, clock: server });
    expect(report.condemnedPacks).toBe(0);
  });

  it('a GC whose clock runs ahead does not take a live lock for stale', async () => {
    const sessionId = await forgottenBackup();
    advance(2 * HOUR);
    await writeMoverLock(sessionId, server);
    const report = await collectGarbage(scene.repository, { graceMs: HOUR, clock: skewed(HOUR) });
    expect(report.condemnedPacks).toBe(0);
  });

  it('a backup that started before a tombstone holds it back even when its mover\'s clock runs ahead', async () => {
    await forgottenBackup();
    advance(2 * HOUR);
    const mover = await SessionLockHandle.acquire(scene.repository, 'running-backup', 'backup', skewed(HOUR));
    try {
      advance(60_000);
      const condemning = await collectGarbage(scene.repository, { graceMs: HOUR, clock: server });
      expect(condemning.condemnedPacks).toBeGreaterThan(0);
      advance(2 * HOUR);
      // The mover refreshes its lock (rewrites what it holds).
      await scene.repository.backend.put(lockKey('running-backup'), await scene.repository.backend.get(lockKey('running-backup')), { unretained: true });
      const blocked = await collectGarbage(scene.repository, { graceMs: HOUR, clock: server });
      expect(blocked.deletedPacks).toBe(0);
      expect(blocked.waitingTombstones).toBe(1);
    } finally {
      await mover.release();
    }
    const freed = await collectGarbage(scene.repository, { graceMs: HOUR, clock: server });
    expect(freed.deletedPacks).toBeGreaterThan(0);
    expect(await keysUnder(scene.repository, PACKS_PREFIX)).toEqual([]);
  });
});
