import { randomBytes } from 'node:crypto';
import { readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../proto/repository/index.js';
import { contentChunkIds } from '../../lib/datamover/backup/entry-from-stats.js';
import { runBackup } from '../../lib/datamover/backup/backup.js';
import { CorruptObjectError, UnsupportedObjectVersionError } from '../../lib/datamover/errors.js';
import { collectGarbage } from '../../lib/datamover/maintenance/gc.js';
import { repairRepository } from '../../lib/datamover/maintenance/repair.js';
import { verifyRepository } from '../../lib/datamover/maintenance/verify.js';
import { openManifest } from '../../lib/datamover/manifest/manifest-reader.js';
import type { ChunkLocation } from '../../lib/datamover/repository/chunk-index.js';
import { loadIndex, readIndexObject } from '../../lib/datamover/repository/index-store.js';
import { INDEX_PREFIX, lockKey, QUARANTINE_PREFIX, quarantineKey, snapshotKey } from '../../lib/datamover/repository/layout.js';
import { readPackTrailer } from '../../lib/datamover/repository/pack-trailer.js';
import { Repository } from '../../lib/datamover/repository/repository.js';
import { ChunkReader } from '../../lib/datamover/restore/chunk-reader.js';
import { runRestore } from '../../lib/datamover/restore/restore.js';
import { LocalBackend } from '../../lib/datamover/storage/local-backend.js';
import { CLI_SECRET, startCli } from './helpers/cli-runner.js';
import { localRepository, scratchDir, TEST_KDF_COST } from './helpers/repository-fixture.js';
import { keysUnder } from './helpers/repository-scene.js';
import { TreeBuilder } from './helpers/tree-builder.js';
import { comparable, digestTree } from './helpers/tree-digest.js';

/** Small packs: each backup spreads over several, so damage to one leaves the others as they were. */
const PACK_TARGET_SIZE = 1024 * 1024;

/** Where the first chunk of a file of a snapshot is stored. */
async function firstChunkOf(repository: Repository, snapshot: Snapshot, path: string): Promise<{ idHex: string; location: ChunkLocation }> {
  const { index } = await loadIndex(repository);
  const reader = new ChunkReader(repository, index);
  const manifest = await openManifest(snapshot.manifest, (id) => reader.read(id));
  for await (const entry of manifest.entries) {
    if (entry.path !== path) continue;
    const idHex = contentChunkIds(entry)[0]!;
    return { idHex, location: index.lookup(Buffer.from(idHex, 'hex'))! };
  }
  throw new Error(`${path} is not in snapshot ${snapshot.id}`);
}

describe('verify finds what a restore would miss; repair gets backups going again', () => {
  let scratch: Awaited<ReturnType<typeof scratchDir>>;
  let root: string;
  let repository: Repository;
  /** Snapshot id → the tree it recorded. */
  const sources = new Map<string, string>();
  let snapshots: Record<'a' | 'b' | 'c', Snapshot>;

  const objectPath = (key: string, inRoot = root) => join(inRoot, ...key.split('/'));
  const flipByte = async (key: string, offset: number, inRoot = root) => {
    const bytes = await readFile(objectPath(key, inRoot));
    bytes[offset]! ^= 0xff;
    await writeFile(objectPath(key, inRoot), bytes);
  };
  const backup = async (volume: string) => {
    const source = join(scratch.path, volume);
    const { snapshot } = await runBackup(repository, { source, volume, parent: 'none' });
    sources.set(snapshot.id, source);
    return snapshot;
  };
  const expectEverySnapshotRestores = async () => {
    const listed = await repository.listSnapshots();
    expect(listed.map((snapshot) => snapshot.id).sort()).toEqual([...sources.keys()].sort());
    for (const snapshot of listed) {
      const target = join(scratch.path, `restored-${snapshot.id}`);
      await runRestore(repository, { snapshotId: snapshot.id, target });
      expect(comparable(await digestTree(target))).toEqual(comparable(await digestTree(sources.get(snapshot.id)!)));
    }
  };

  beforeEach(async () => {
    sources.clear();
    scratch = await scratchDir('verify-repair');
    root = join(scratch.path, 'repo');
    repository = await localRepository(root, { packTargetSize: PACK_TARGET_SIZE });
    const shared = randomBytes(1_500_000);
    await new TreeBuilder(join(scratch.path, 'a')).file('data/a.bin', shared).then((tree) => tree.file('notes/a.txt', 'a'));
    await new TreeBuilder(join(scratch.path, 'b')).file('b.bin', randomBytes(1_500_000)).then((tree) => tree.file('b.txt', 'b'));
    // Shares a.bin's content, so its snapshot needs a's packs.
    await new TreeBuilder(join(scratch.path, 'c')).file('copy-of-a.bin', shared).then((tree) => tree.file('c.txt', 'c'));
    snapshots = { a: await backup('a'), b: await backup('b'), c: await backup('c') };
  });
  afterEach(() => scratch.cleanup());

  describe('verify', () => {
    it('is structural by default: a healthy repository passes without reading pack data', async () => {
      const report = await verifyRepository(repository);
      expect(report.problems).toEqual([]);
      expect(report.snapshots).toBe(3);
      expect(report.packs).toBeGreaterThan(3);
      expect(report).toMatchObject({ packsRead: 0, chunksRead: 0, bytesRead: 0, missingPacks: 0, damagedSnapshots: [] });
    });

    it('reports a referenced chunk whose pack is gone, naming each snapshot, the file, the chunk and the pack', async () => {
      const { idHex, location } = await firstChunkOf(repository, snapshots.a, 'data/a.bin');
      await repository.backend.delete(location.packKey);
      const report = await verifyRepository(repository);
      expect(report.missingPacks).toBe(1);
      const expected = { objectKey: location.packKey, packKey: location.packKey, chunkId: idHex, message: expect.stringMatching(/missing/) };
      expect(report.problems).toContainEqual({ ...expected, snapshotId: snapshots.a.id, path: 'data/a.bin' });
      expect(report.problems).toContainEqual({ ...expected, snapshotId: snapshots.c.id, path: 'copy-of-a.bin' });
      expect(report.damagedSnapshots.sort()).toEqual([snapshots.a.id, snapshots.c.id].sort());
      expect(report.problems.every((problem) => problem.snapshotId !== snapshots.b.id)).toBe(true);
    });

    it('reports a referenced chunk stored beyond the end of a truncated pack', async () => {
      const { idHex, location } = await firstChunkOf(repository, snapshots.a, 'data/a.bin');
      await truncate(objectPath(location.packKey), location.offset + 1);
      const report = await verifyRepository(repository);
      expect(report.problems).toContainEqual({
        objectKey: location.packKey,
        packKey: location.packKey,
        chunkId: idHex,
        snapshotId: snapshots.a.id,
        path: 'data/a.bin',
        message: expect.stringMatching(/beyond the pack's/),
      });
      expect(report.problems).toContainEqual({ objectKey: location.packKey, packKey: location.packKey, message: expect.stringMatching(/truncated/) });
    });

    it('finds altered chunk bytes only when reading the data, and names the chunk', async () => {
      const { idHex, location } = await firstChunkOf(repository, snapshots.b, 'b.bin');
      await flipByte(location.packKey, location.offset + 100);
      expect((await verifyRepository(repository)).problems).toEqual([]);
      const report = await verifyRepository(repository, { readData: true });
      expect(report.packsRead).toBe(report.packs);
      expect(report.chunksRead).toBeGreaterThan(0);
      expect(report.problems).toEqual([
        { objectKey: location.packKey, packKey: location.packKey, chunkId: idHex, snapshotId: snapshots.b.id, path: 'b.bin', message: expect.stringMatching(/does not open/) },
      ]);
    });

    it('reports a pack whose trailer does not open when reading the data', async () => {
      const { location } = await firstChunkOf(repository, snapshots.b, 'b.bin');
      const size = (await repository.backend.head(location.packKey))!.size;
      await flipByte(location.packKey, size - 20);
      const report = await verifyRepository(repository, { readData: true });
      expect(report.unreadablePacks).toBe(1);
      expect(report.problems).toContainEqual({ objectKey: location.packKey, packKey: location.packKey, message: expect.stringMatching(/cannot be read/) });
    });

    it('refuses a sample outside (0, 1]', async () => {
      await expect(verifyRepository(repository, { sample: 0 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await expect(verifyRepository(repository, { sample: 1.5 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    });
  });

  describe('a corrupt index object', () => {
    it('fails a backup with an error that says to run repair', async () => {
      const [indexKey] = await keysUnder(repository, INDEX_PREFIX);
      await flipByte(indexKey!, 20);
      const failure = await backup('a').catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(CorruptObjectError);
      expect(failure).toMatchObject({ code: 'REPOSITORY_OBJECT_CORRUPT', objectKey: indexKey, message: expect.stringMatching(/`repair`/) });
    });

    it('is quarantined by repair, and the packs it named are indexed again from their trailers', async () => {
      const [indexKey] = await keysUnder(repository, INDEX_PREFIX);
      const named = (await readIndexObject(repository, indexKey!)).packs.map((pack) => pack.key).sort();
      await flipByte(indexKey!, 20);
      const corrupted = await readFile(objectPath(indexKey!));
      await expect(backup('a')).rejects.toBeInstanceOf(CorruptObjectError);

      const report = await repairRepository(repository);
      expect(report).toMatchObject({ quarantined: [indexKey], retained: [], newerFormat: [], unreadablePacks: [] });
      expect(report.reindexedPacks.sort()).toEqual(named);
      expect(await keysUnder(repository, QUARANTINE_PREFIX)).toEqual([quarantineKey(indexKey!)]);
      expect(await repository.backend.get(quarantineKey(indexKey!))).toEqual(corrupted);
      expect(await keysUnder(repository, INDEX_PREFIX)).not.toContain(indexKey);
      expect((await verifyRepository(repository, { readData: true })).problems).toEqual([]);

      await backup('a');
      await expectEverySnapshotRestores();
      expect(await repairRepository(repository)).toEqual({ quarantined: [], retained: [], newerFormat: [], reindexedPacks: [], indexObjects: [], unreadablePacks: [] });
    });

    it('is left in place and reported when retention keeps it', async () => {
      const lockedRoot = join(scratch.path, 'locked-repo');
      const locked = await localRepository(lockedRoot, { packTargetSize: PACK_TARGET_SIZE, retention: { days: 1 } });
      await runBackup(locked, { source: join(scratch.path, 'a'), volume: 'a' });
      const [indexKey] = await keysUnder(locked, INDEX_PREFIX);
      await flipByte(indexKey!, 20, lockedRoot);
      const report = await repairRepository(locked);
      expect(report.quarantined).toEqual([]);
      expect(report.retained).toEqual([{ objectKey: indexKey, retainedUntil: expect.any(String) }]);
      expect(await locked.backend.head(indexKey!)).toBeDefined();
      expect(await locked.backend.head(quarantineKey(indexKey!))).toBeDefined();
    });
  });

  describe('a corrupt snapshot object', () => {
    it('fails listing with an error that says to run repair', async () => {
      await flipByte(snapshotKey(snapshots.b.id), 20);
      await expect(repository.listSnapshots()).rejects.toMatchObject({ code: 'REPOSITORY_OBJECT_CORRUPT', message: expect.stringMatching(/`repair`/) });
      await expect(collectGarbage(repository)).rejects.toBeInstanceOf(CorruptObjectError);
    });

    it('is quarantined by repair; listing, GC and verify work again', async () => {
      await flipByte(snapshotKey(snapshots.b.id), 20);
      const report = await repairRepository(repository);
      expect(report).toMatchObject({ quarantined: [snapshotKey(snapshots.b.id)], reindexedPacks: [] });
      expect(await keysUnder(repository, QUARANTINE_PREFIX)).toEqual([quarantineKey(snapshotKey(snapshots.b.id))]);
      sources.delete(snapshots.b.id);
      expect((await repository.listSnapshots()).map((snapshot) => snapshot.id).sort()).toEqual([snapshots.a.id, snapshots.c.id].sort());
      await expect(collectGarbage(repository)).resolves.toMatchObject({ deletedPacks: 0 });
      expect((await verifyRepository(repository)).problems).toEqual([]);
      await expectEverySnapshotRestores();
    });
  });

  it('repair indexes the packs of a lost index object again, which verify points to', async () => {
    const [indexKey] = await keysUnder(repository, INDEX_PREFIX);
    await repository.backend.delete(indexKey!);
    const before = await verifyRepository(repository);
    expect(before.damagedSnapshots.sort()).toEqual([snapshots.a.id, snapshots.c.id].sort());
    expect(before.problems[0]?.message).toMatch(/in no index \(\d+ packs are in no index: repair indexes them/);
    const report = await repairRepository(repository);
    expect(report.quarantined).toEqual([]);
    expect(report.reindexedPacks.length).toBeGreaterThan(0);
    expect((await verifyRepository(repository)).problems).toEqual([]);
    await expectEverySnapshotRestores();
  });

  it('repair reports packs no index names whose trailer does not open, and leaves those of running backups alone', async () => {
    // One shorter than a pack footer, one long enough to have one but no pack at all.
    await repository.backend.put('packs/lost-session/000000', randomBytes(4));
    await repository.backend.put('packs/lost-session/000001', randomBytes(5000));
    const now = new Date().toISOString();
    await repository.backend.put(lockKey('running-session'), Buffer.from(JSON.stringify({ version: 1, sessionId: 'running-session', kind: 'backup', hostname: 'h', pid: 1, startedAt: now, refreshedAt: now })));
    await repository.backend.put('packs/running-session/000000', randomBytes(5000));
    const report = await repairRepository(repository);
    expect(report.unreadablePacks.map((pack) => pack.packKey).sort()).toEqual(['packs/lost-session/000000', 'packs/lost-session/000001']);
    expect(report.unreadablePacks[0]!.message).toMatch(/no pack trailer/);
    expect(report.reindexedPacks).toEqual([]);
  });

  describe('an object of a newer format', () => {
    const key = `${INDEX_PREFIX}future-000000`;
    beforeEach(() => repository.putObject(key, { version: 2, createdAt: new Date().toISOString(), sessionId: 'future', packs: [] }));

    it('asks for an upgrade, not a repair', async () => {
      const failure = await readIndexObject(repository, key).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(UnsupportedObjectVersionError);
      expect(failure).toMatchObject({ code: 'REPOSITORY_VERSION_UNSUPPORTED', objectKey: key });
      expect((failure as Error).message).not.toMatch(/repair/);
    });

    it('is left alone by repair', async () => {
      expect(await repairRepository(repository)).toMatchObject({ quarantined: [], newerFormat: [key] });
      expect(await repository.backend.head(key)).toBeDefined();
    });
  });

  it('a pack shorter than its footer has no trailer', async () => {
    await repository.backend.put('packs/lost-session/000000', randomBytes(4));
    await expect(readPackTrailer(repository, 'packs/lost-session/000000')).rejects.toMatchObject({ code: 'REPOSITORY_OBJECT_CORRUPT', reason: expect.stringMatching(/no pack trailer/) });
  });
});

describe('the verify and repair commands', () => {
  let scratch: Awaited<ReturnType<typeof scratchDir>>;
  let root: string;
  let source: string;
  let repository: Repository;
  let snapshot: Snapshot;

  const cli = (...args: string[]) => startCli([...args, '--repository', root]).done;
  const flipByte = async (key: string, offset: number) => {
    const path = join(root, ...key.split('/'));
    const bytes = await readFile(path);
    bytes[offset]! ^= 0xff;
    await writeFile(path, bytes);
  };

  beforeEach(async () => {
    scratch = await scratchDir('verify-repair-cli');
    root = join(scratch.path, 'repo');
    source = join(scratch.path, 'source');
    repository = await Repository.init(new LocalBackend(root), CLI_SECRET, { kdfCost: TEST_KDF_COST, packTargetSize: PACK_TARGET_SIZE });
    await new TreeBuilder(source).file('big.bin', randomBytes(1_500_000)).then((tree) => tree.file('small.txt', 'small'));
    snapshot = (await runBackup(repository, { source, volume: 'v' })).snapshot;
  });
  afterEach(() => scratch.cleanup());

  it('verify --read-data reads every pack, and fails (exit 1) on altered chunk bytes the default check does not read', async () => {
    const healthy = await cli('verify', '--read-data');
    expect(healthy.code).toBe(0);
    expect(healthy.output).toMatchObject({ ok: true, command: 'verify', report: { problems: [] } });
    const report = healthy.output!.report as { packs: number; packsRead: number };
    expect(report.packsRead).toBe(report.packs);

    const { idHex, location } = await firstChunkOf(repository, snapshot, 'big.bin');
    await flipByte(location.packKey, location.offset + 100);
    const structural = await cli('verify');
    expect(structural.code).toBe(0);
    expect(structural.output).toMatchObject({ ok: true, report: { packsRead: 0, problems: [] } });
    const reading = await cli('verify', '--read-data');
    expect(reading.code).toBe(1);
    expect(reading.output).toMatchObject({
      ok: false,
      command: 'verify',
      report: { damagedSnapshots: [snapshot.id], problems: [{ chunkId: idHex, packKey: location.packKey, snapshotId: snapshot.id, path: 'big.bin' }] },
    });
  });

  it.each([
    ['a sample of nothing', ['--sample', '0']],
    ['a sample over the whole', ['--sample', '2']],
    ['a sample beside --read-data', ['--read-data', '--sample', '0.5']],
  ])('verify refuses %s as a bad argument (exit 2)', async (_what, flags) => {
    const { code, output } = await cli('verify', ...flags);
    expect(code).toBe(2);
    expect(output).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
  });

  it('names verify --read-data and repair in its usage', async () => {
    const { code, output } = await cli('help');
    expect(code).toBe(2);
    expect((output!.error as { message: string }).message).toMatch(/verify \[--read-data \| --sample SHARE\].*repair/);
  });

  it('repair gets backups going again after a corrupt index object, and exits 1 when it leaves damage it cannot fix', async () => {
    const [indexKey] = await keysUnder(repository, INDEX_PREFIX);
    await flipByte(indexKey!, 20);
    const backup = ['backup', '--source', source, '--volume', 'v', '--seal-workers', '0'];
    const failed = await cli(...backup);
    expect(failed.code).toBe(1);
    expect(failed.output).toMatchObject({ ok: false, error: { code: 'REPOSITORY_OBJECT_CORRUPT', objectKey: indexKey, message: expect.stringMatching(/`repair`/) } });

    const repaired = await cli('repair');
    expect(repaired.code).toBe(0);
    expect(repaired.output).toMatchObject({ ok: true, command: 'repair', report: { quarantined: [indexKey], unreadablePacks: [] } });
    expect((await cli(...backup)).code).toBe(0);

    await repository.backend.put('packs/lost-session/000000', randomBytes(5000));
    const partial = await cli('repair');
    expect(partial.code).toBe(1);
    expect(partial.output).toMatchObject({ ok: false, report: { quarantined: [], unreadablePacks: [{ packKey: 'packs/lost-session/000000' }] } });
  });
});
