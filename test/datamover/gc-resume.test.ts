import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { tombstoneCodec, type BackupCheckpoint } from '../../proto/repository/index.js';
import { runBackup } from '../../lib/datamover/backup/backup.js';
import { collectGarbage } from '../../lib/datamover/maintenance/gc.js';
import { verifyRepository } from '../../lib/datamover/maintenance/verify.js';
import { INDEX_PREFIX, sessionPacksPrefix, TOMBSTONES_PREFIX } from '../../lib/datamover/repository/layout.js';
import type { Repository } from '../../lib/datamover/repository/repository.js';
import { SessionLockHandle } from '../../lib/datamover/repository/session-lock.js';
import { runRestore } from '../../lib/datamover/restore/restore.js';
import { keysUnder, repositoryScene } from './helpers/repository-scene.js';
import { comparable, digestTree } from './helpers/tree-digest.js';
import { TreeBuilder } from './helpers/tree-builder.js';

const HOUR = 3_600_000;

async function condemnedPacks(repository: Repository): Promise<string[]> {
  const packs: string[] = [];
  for (const key of await keysUnder(repository, TOMBSTONES_PREFIX)) packs.push(...(await repository.getObject(key, (text) => tombstoneCodec.decodeJson(text))).packs);
  return packs.sort();
}

/** A session resumed after GC condemned the packs its dead run had uploaded. */
describe('GC and resumed sessions', () => {
  const scene = repositoryScene('gc-resume');
  const { clock, advance } = scene;
  let source: string;

  beforeEach(async () => {
    source = join(scene.path, 'a');
    await new TreeBuilder(source).file('a.bin', randomBytes(1_500_000)).then((tree) => tree.file('a-small.txt', 'a'));
  });

  /**
   * A run that uploaded its packs and died before indexing them: its snapshot and index objects are removed
   * after the fact. Returns the checkpoint it reported first, to resume from.
   */
  async function deadRun(): Promise<{ checkpoint: BackupCheckpoint; packs: string[] }> {
    let first: BackupCheckpoint | undefined;
    const { snapshot } = await runBackup(scene.repository, { source, volume: 'a', parent: 'none', clock, onCheckpoint: (checkpoint) => void (first ??= checkpoint) });
    await scene.repository.deleteSnapshot(snapshot.id);
    for (const key of await keysUnder(scene.repository, `${INDEX_PREFIX}${snapshot.id}-`)) await scene.repository.backend.delete(key);
    return { checkpoint: first!, packs: await keysUnder(scene.repository, sessionPacksPrefix(snapshot.id)) };
  }

  it('a resumed backup does not adopt packs GC condemned meanwhile: it uploads their chunks again, after them in sequence', async () => {
    const dead = await deadRun();
    expect(dead.packs.length).toBeGreaterThan(0);
    advance(2 * HOUR);
    const condemning = await collectGarbage(scene.repository, { graceMs: HOUR, clock });
    expect(condemning.condemnedPacks).toBe(dead.packs.length);

    const resumed = await runBackup(scene.repository, { source, volume: 'a', parent: 'none', clock, resumeFrom: dead.checkpoint });
    expect(resumed.snapshot.id).toBe(dead.checkpoint.sessionId);
    expect(resumed.snapshot.stats.newBytesStored).toBeGreaterThan(1_500_000);
    const fresh = (await keysUnder(scene.repository, sessionPacksPrefix(resumed.snapshot.id))).filter((key) => !dead.packs.includes(key));
    expect(fresh.length).toBeGreaterThan(0);
    expect(fresh.every((key) => key > dead.packs.at(-1)!)).toBe(true);

    // GC deletes what it condemned; the resumed snapshot needs none of it.
    for (const key of dead.packs) await scene.repository.backend.delete(key);
    expect((await verifyRepository(scene.repository)).problems).toEqual([]);
    const target = join(scene.path, 'restored');
    await runRestore(scene.repository, { snapshotId: resumed.snapshot.id, target });
    expect(comparable(await digestTree(target))).toEqual(comparable(await digestTree(source)));
  });

  it('does not delete condemned packs of a session running again, and deletes them once it ends', async () => {
    const dead = await deadRun();
    advance(2 * HOUR);
    await collectGarbage(scene.repository, { graceMs: HOUR, clock });
    advance(2 * HOUR);
    // The session resumes after the tombstone: nothing holds the tombstone back but its own session.
    const resumedLock = await SessionLockHandle.acquire(scene.repository, dead.checkpoint.sessionId, 'backup', clock);
    try {
      const whileRunning = await collectGarbage(scene.repository, { graceMs: HOUR, clock });
      expect(whileRunning.waitingTombstones).toBe(0);
      expect(whileRunning.deletedPacks).toBe(0);
      expect(await keysUnder(scene.repository, sessionPacksPrefix(dead.checkpoint.sessionId))).toEqual(dead.packs);
      expect(await condemnedPacks(scene.repository)).toEqual(dead.packs);
    } finally {
      await resumedLock.release();
    }
    advance(2 * HOUR);
    const after = await collectGarbage(scene.repository, { graceMs: HOUR, clock });
    expect(after.deletedPacks).toBe(dead.packs.length);
    expect(await keysUnder(scene.repository, sessionPacksPrefix(dead.checkpoint.sessionId))).toEqual([]);
  });
});
