import { randomBytes } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { runBackup } from '../../lib/datamover/backup/backup.js';
import { ObjectRetainedError } from '../../lib/datamover/errors.js';
import { collectGarbage } from '../../lib/datamover/maintenance/gc.js';
import { verifyRepository } from '../../lib/datamover/maintenance/verify.js';
import { INDEX_PREFIX, LOCKS_PREFIX, lockKey, PACKS_PREFIX, TOMBSTONES_PREFIX } from '../../lib/datamover/repository/layout.js';
import { Repository } from '../../lib/datamover/repository/repository.js';
import { runRestore } from '../../lib/datamover/restore/restore.js';
import { comparable, digestTree } from './helpers/tree-digest.js';
import { localBackend, localRepository, TEST_SECRET } from './helpers/repository-fixture.js';
import { keysUnder, repositoryScene } from './helpers/repository-scene.js';
import { TreeBuilder } from './helpers/tree-builder.js';

const HOUR = 3_600_000;

const packKeys = (repository: Repository) => keysUnder(repository, PACKS_PREFIX);

describe('verify and garbage collection', () => {
  const scene = repositoryScene('gc', { retention: undefined });
  const { clock, advance } = scene;

  beforeEach(async () => {
    await new TreeBuilder(join(scene.path, 'a')).file('a.bin', randomBytes(2_000_000)).then((tree) => tree.file('a-small.txt', 'a'));
    await new TreeBuilder(join(scene.path, 'b')).file('b.bin', randomBytes(2_000_000)).then((tree) => tree.file('b-small.txt', 'b'));
  });

  const backup = (volume: string) => runBackup(scene.repository, { source: join(scene.path, volume), volume, parent: 'none', clock });

  it('verify passes a healthy scene.repository and names a corrupted pack', async () => {
    await backup('a');
    const healthy = await verifyRepository(scene.repository, { readData: true });
    expect(healthy.problems).toEqual([]);
    expect(healthy.packsRead).toBe(healthy.packs);
    const [pack] = await packKeys(scene.repository);
    const path = join(scene.root, ...pack!.split('/'));
    const bytes = await readFile(path);
    bytes[50]! ^= 1;
    await writeFile(path, bytes);
    const damaged = await verifyRepository(scene.repository, { readData: true });
    expect(damaged.problems.map((problem) => problem.objectKey)).toContain(pack);
  });

  it('keeps exactly what live snapshots reference, in two phases', async () => {
    const a = await backup('a');
    const packsOfA = await packKeys(scene.repository);
    const b = await backup('b');
    const packsOfB = (await packKeys(scene.repository)).filter((key) => !packsOfA.includes(key));
    await scene.repository.deleteSnapshot(a.snapshot.id);
    advance(2 * HOUR);

    const first = await collectGarbage(scene.repository, { graceMs: HOUR, clock });
    expect(first.condemnedPacks).toBe(packsOfA.length);
    expect(first.deletedPacks).toBe(0);
    expect(await packKeys(scene.repository)).toEqual([...packsOfA, ...packsOfB].sort());

    advance(2 * HOUR);
    const second = await collectGarbage(scene.repository, { graceMs: HOUR, clock });
    expect(second.deletedPacks).toBe(packsOfA.length);
    expect(await packKeys(scene.repository)).toEqual(packsOfB.sort());
    expect((await verifyRepository(scene.repository)).problems).toEqual([]);
    const target = join(scene.path, 'restored');
    await runRestore(scene.repository, { snapshotId: b.snapshot.id, target });
    expect(comparable(await digestTree(target))).toEqual(comparable(await digestTree(join(scene.path, 'b'))));
  });

  it('a backup after condemnation re-uploads instead of deduplicating against condemned packs', async () => {
    const a = await backup('a');
    await scene.repository.deleteSnapshot(a.snapshot.id);
    advance(2 * HOUR);
    await collectGarbage(scene.repository, { graceMs: HOUR, clock });
    const again = await backup('a');
    expect(again.snapshot.stats.newBytesStored).toBeGreaterThan(2_000_000);
    advance(2 * HOUR);
    await collectGarbage(scene.repository, { graceMs: HOUR, clock });
    expect((await verifyRepository(scene.repository)).problems).toEqual([]);
    await runRestore(scene.repository, { snapshotId: again.snapshot.id, target: join(scene.path, 'restored') });
  });

  it('does not delete while a backup that started before the condemnation still runs', async () => {
    const a = await backup('a');
    await scene.repository.deleteSnapshot(a.snapshot.id);
    advance(2 * HOUR);
    const lockStartedBefore = new Date(clock().getTime() - 60_000).toISOString();
    await collectGarbage(scene.repository, { graceMs: HOUR, clock });
    advance(2 * HOUR);
    const lock = { version: 1, sessionId: 'slow-mover', kind: 'backup', hostname: 'h', pid: 1, startedAt: lockStartedBefore, refreshedAt: clock().toISOString() };
    await scene.repository.backend.put(lockKey('slow-mover'), Buffer.from(JSON.stringify(lock)));
    const blocked = await collectGarbage(scene.repository, { graceMs: HOUR, clock });
    expect(blocked.deletedPacks).toBe(0);
    expect(blocked.waitingTombstones).toBe(1);
    await scene.repository.backend.delete(lockKey('slow-mover'));
    const freed = await collectGarbage(scene.repository, { graceMs: HOUR, clock });
    expect(freed.deletedPacks).toBeGreaterThan(0);
  });

  it('a condemned pack that a finished backup references again is kept', async () => {
    const a = await backup('a');
    await scene.repository.deleteSnapshot(a.snapshot.id);
    advance(2 * HOUR);
    await collectGarbage(scene.repository, { graceMs: HOUR, clock });
    // A snapshot referencing the condemned chunks appears (as from a backup that started before GC).
    await scene.repository.writeSnapshot({ ...a.snapshot, id: 'late-snapshot', finishedAt: clock().toISOString() });
    advance(2 * HOUR);
    const report = await collectGarbage(scene.repository, { graceMs: HOUR, clock });
    expect(report.deletedPacks).toBe(0);
    expect(report.resurrectedPacks).toBeGreaterThan(0);
    await runRestore(scene.repository, { snapshotId: 'late-snapshot', target: join(scene.path, 'restored') });
  });

  it('never deletes packs under retention, and deletes them once it expires', async () => {
    const lockedRoot = join(scene.path, 'locked-repo');
    const retained = await localRepository(lockedRoot, { clock, retention: { days: 1 } });
    const a = await runBackup(retained, { source: join(scene.path, 'a'), volume: 'a', clock });
    await expect(retained.deleteSnapshot(a.snapshot.id)).rejects.toBeInstanceOf(ObjectRetainedError);
    // The orchestrator's retention expired the recovery point; model it by removing the snapshot outright.
    await rm(join(lockedRoot, 'snapshots', a.snapshot.id));
    advance(2 * HOUR);
    await collectGarbage(retained, { graceMs: HOUR, clock });
    advance(2 * HOUR);
    const whileLocked = await collectGarbage(retained, { graceMs: HOUR, clock });
    expect(whileLocked.deletedPacks).toBe(0);
    expect(whileLocked.retainedPacks).toBeGreaterThan(0);
    expect((await packKeys(retained)).length).toBeGreaterThan(0);
    advance(24 * HOUR);
    await collectGarbage(retained, { graceMs: HOUR, clock });
    advance(2 * HOUR);
    await collectGarbage(retained, { graceMs: HOUR, clock });
    expect(await packKeys(retained)).toEqual([]);
  });

  it('writes session locks and tombstones unlocked, and its consolidated index with the longest lock of those it replaces', async () => {
    const lockedRoot = join(scene.path, 'locked-repo');
    const retained = await localRepository(lockedRoot, { clock, retention: { days: 1 } });
    const a = await runBackup(retained, { source: join(scene.path, 'a'), volume: 'a', clock });
    advance(HOUR);
    await runBackup(retained, { source: join(scene.path, 'b'), volume: 'b', clock });
    // Released, not left behind under a lock nobody needs.
    expect(await keysUnder(retained, LOCKS_PREFIX)).toEqual([]);
    const indexes = await keysUnder(retained, INDEX_PREFIX);
    expect(indexes.length).toBe(2);
    const longest = (await retained.backend.retainedUntil(indexes[1]!))!;

    await rm(join(lockedRoot, 'snapshots', a.snapshot.id));
    advance(2 * HOUR);
    // As the control plane runs GC: its own writes carry no retention of their own.
    const unlocked = await Repository.open(localBackend(lockedRoot, { clock }), TEST_SECRET);
    await collectGarbage(unlocked, { graceMs: HOUR, clock });
    const [tombstone] = await keysUnder(retained, TOMBSTONES_PREFIX);
    expect(tombstone).toBeDefined();
    expect(await retained.backend.retainedUntil(tombstone!)).toBeUndefined();
    const consolidated = (await keysUnder(retained, INDEX_PREFIX)).filter((key) => !indexes.includes(key));
    expect(consolidated.length).toBe(1);
    expect((await retained.backend.retainedUntil(consolidated[0]!))?.getTime()).toBe(longest.getTime());
  });
});
