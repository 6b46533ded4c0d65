import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { BackupCheckpoint } from '../../proto/repository/index.js';
import { runBackup } from '../../lib/datamover/backup/backup.js';
import { SessionLockLapsedError } from '../../lib/datamover/errors.js';
import { collectGarbage } from '../../lib/datamover/maintenance/gc.js';
import { LOCKS_PREFIX, PACKS_PREFIX, SNAPSHOTS_PREFIX } from '../../lib/datamover/repository/layout.js';
import { Repository } from '../../lib/datamover/repository/repository.js';
import { SessionLockHandle } from '../../lib/datamover/repository/session-lock.js';
import type { PutOptions } from '../../lib/datamover/storage/backend.js';
import { localBackend, TEST_SECRET } from './helpers/repository-fixture.js';
import { keysUnder, repositoryScene, withOverrides } from './helpers/repository-scene.js';
import { TreeBuilder } from './helpers/tree-builder.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe('a session whose lock could not be kept fresh stops', () => {
  const scene = repositoryScene('lock-lapse', { packTargetSize: 1024 });
  const { clock, advance } = scene;
  let source: string;

  beforeEach(async () => {
    source = join(scene.path, 'a');
    const tree = new TreeBuilder(source);
    for (let i = 0; i < 4; i++) await tree.file(`f${i}.bin`, randomBytes(600_000));
  });

  /** A mover whose lock rewrites fail once it holds the lock (the store refuses it, or the network is down). */
  async function moverWithFailingLockRefresh(): Promise<Repository> {
    const backend = localBackend(scene.root, { clock });
    const writes = new Map<string, number>();
    const put = async (key: string, body: Uint8Array, options?: PutOptions) => {
      const count = (writes.get(key) ?? 0) + 1;
      writes.set(key, count);
      // Taking the lock is two writes (the second records its server start time); rewrites after those fail.
      if (key.startsWith(LOCKS_PREFIX) && count > 2) throw new Error('lock write refused');
      await backend.put(key, body, options);
    };
    return Repository.open(withOverrides(backend, { put }), TEST_SECRET);
  }

  it('a lock is held while rewritten within half the stale time, and lapsed for good after a longer gap', async () => {
    const lock = await SessionLockHandle.acquire(scene.repository, 'session', 'backup', clock);
    try {
      advance(7 * MINUTE);
      expect(() => lock.assertHeld()).not.toThrow();
      await lock.refresh();
      advance(7 * MINUTE);
      expect(() => lock.assertHeld()).not.toThrow();
      advance(MINUTE);
      expect(() => lock.assertHeld()).toThrow(SessionLockLapsedError);
      // Rewritten at last, but GC may have acted in the gap.
      await lock.refresh();
      expect(() => lock.assertHeld()).toThrow(SessionLockLapsedError);
    } finally {
      await lock.release();
    }
  });

  it('a backup whose lock lapsed fails, retryably, without writing its snapshot', async () => {
    const mover = await moverWithFailingLockRefresh();
    // Its first checkpoint reported, the mover is held up long enough for GC to think it dead.
    const failure = await runBackup(mover, { source, volume: 'a', parent: 'none', clock, onCheckpoint: () => advance(10 * MINUTE) }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SessionLockLapsedError);
    expect((failure as SessionLockLapsedError).retryable).toBe(true);
    expect((failure as SessionLockLapsedError).code).toBe('SESSION_LOCK_LAPSED');
    expect(await keysUnder(scene.repository, SNAPSHOTS_PREFIX)).toEqual([]);
  });

  it('reports no further checkpoint once its lock lapsed', async () => {
    const mover = await moverWithFailingLockRefresh();
    const checkpoints: BackupCheckpoint[] = [];
    const onCheckpoint = (checkpoint: BackupCheckpoint) => {
      checkpoints.push(checkpoint);
      advance(10 * MINUTE);
    };
    await expect(runBackup(mover, { source, volume: 'a', parent: 'none', clock, onCheckpoint, checkpointEveryBytes: 1 })).rejects.toBeInstanceOf(SessionLockLapsedError);
    expect(checkpoints).toHaveLength(1);
  });

  it('a backup whose lock is rewritten in time is not held up by the same delays', async () => {
    const mover = await Repository.open(localBackend(scene.root, { clock }), TEST_SECRET);
    let checkpoints = 0;
    const onCheckpoint = () => {
      checkpoints++;
      advance(5 * MINUTE);
    };
    const { snapshot } = await runBackup(mover, { source, volume: 'a', parent: 'none', clock, onCheckpoint, checkpointEveryBytes: 1 });
    // Far longer than the stale time in all, rewritten at every checkpoint.
    expect(checkpoints).toBeGreaterThan(3);
    expect(await keysUnder(scene.repository, SNAPSHOTS_PREFIX)).toEqual([`${SNAPSHOTS_PREFIX}${snapshot.id}`]);
  });

  it('a GC whose lock lapsed starts no further deletion', async () => {
    const { snapshot } = await runBackup(scene.repository, { source, volume: 'a', parent: 'none', clock });
    await scene.repository.deleteSnapshot(snapshot.id);
    advance(2 * HOUR);
    await collectGarbage(scene.repository, { graceMs: HOUR, clock });
    advance(2 * HOUR);
    const packs = await keysUnder(scene.repository, PACKS_PREFIX);
    expect(packs.length).toBeGreaterThan(2);
    const backend = localBackend(scene.root, { clock });
    const remove = async (key: string) => {
      await backend.delete(key);
      if (key.startsWith(PACKS_PREFIX)) advance(10 * MINUTE);
    };
    const gc = await Repository.open(withOverrides(backend, { delete: remove }), TEST_SECRET);
    await expect(collectGarbage(gc, { graceMs: HOUR, clock })).rejects.toBeInstanceOf(SessionLockLapsedError);
    expect(await keysUnder(scene.repository, PACKS_PREFIX)).toHaveLength(packs.length - 1);
  });
});
