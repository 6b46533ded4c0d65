import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupCheckpointCodec, type BackupCheckpoint } from '../../proto/repository/index.js';
import { runBackup } from '../../lib/datamover/backup/backup.js';
import { ManifestListWriter, readManifestList } from '../../lib/datamover/manifest/manifest-list.js';
import { loadIndex } from '../../lib/datamover/repository/index-store.js';
import type { Repository } from '../../lib/datamover/repository/repository.js';
import { ChunkReader } from '../../lib/datamover/restore/chunk-reader.js';
import { runRestore } from '../../lib/datamover/restore/restore.js';
import { localRepository, scratchDir } from './helpers/repository-fixture.js';
import { comparable, digestTree } from './helpers/tree-digest.js';
import { TreeBuilder } from './helpers/tree-builder.js';

/** What a heartbeat may spend on the checkpoint: far under Temporal's 2 MB payload limit. */
const CHECKPOINT_BOUND_BYTES = 64 * 1024;

function fakeId(n: number): string {
  return createHash('sha256').update(String(n)).digest('hex');
}

/** A content-addressed store in memory, as the chunk store would be. */
function memoryStore(): { store: (data: Buffer) => Promise<Buffer>; read: (id: string) => Promise<Buffer>; writes: () => number } {
  const chunks = new Map<string, Buffer>();
  let writes = 0;
  return {
    store: (data) => {
      const id = createHash('sha256').update(data).digest();
      writes += chunks.has(id.toString('hex')) ? 0 : 1;
      chunks.set(id.toString('hex'), data);
      return Promise.resolve(id);
    },
    read: (id) => (chunks.has(id) ? Promise.resolve(chunks.get(id)!) : Promise.reject(new Error(`no chunk ${id}`))),
    writes: () => writes,
  };
}

describe('checkpoint size', () => {
  it('stays under 64 KiB for the manifest of ten million files, and its list reads back whole', async () => {
    // A 10M-file manifest at ~300 bytes a line is ~3 GB: ~46k manifest chunks at the 64 KiB average.
    const manifestChunks = Array.from({ length: 46_000 }, (_, i) => fakeId(i));
    const memory = memoryStore();
    const writer = new ManifestListWriter(memory.store);
    const checkpoints: BackupCheckpoint[] = [];
    // Checkpoints along the way, as a backup takes them.
    for (const upTo of [1, 1023, 1024, 1025, 20_000, 46_000]) {
      const pointer = await writer.record(manifestChunks.slice(0, upTo));
      checkpoints.push({
        version: 2, sessionId: '0mjutyg00-0a1b2c3d', startedAt: new Date().toISOString(),
        // The longest path a volume can hold, every byte escaped (PEP 383 spelling): the cursor's worst case.
        cursor: '\udcff'.repeat(4096), ...pointer, manifestTail: fakeId(-1), packsWritten: 200_000,
        entries: 10_000_000, files: 10_000_000, bytes: 2 ** 50, bytesRead: 2 ** 50, filesRead: 10_000_000, newChunks: 2 ** 40, newBytesStored: 2 ** 50,
      });
      expect(await readManifestList(pointer, memory.read)).toEqual(manifestChunks.slice(0, upTo));
    }
    for (const checkpoint of checkpoints) {
      const json = JSON.stringify(checkpoint);
      expect(Buffer.byteLength(json)).toBeLessThan(CHECKPOINT_BOUND_BYTES);
      expect(backupCheckpointCodec.decodeJson(json)).toEqual(checkpoint);
    }
    // Full links are written once: 44 full links and the partial links of the six checkpoints, not one link per id.
    expect(memory.writes()).toBeLessThanOrEqual(Math.floor(46_000 / 1024) + 6);
    // What V1 would have sent: every id inline.
    expect(JSON.stringify(manifestChunks).length).toBeGreaterThan(3_000_000);
  });

  it('refuses a list that does not hold what the checkpoint says', async () => {
    const memory = memoryStore();
    const pointer = await new ManifestListWriter(memory.store, 4).record(Array.from({ length: 10 }, (_, i) => fakeId(i)));
    await expect(readManifestList({ ...pointer, manifestChunkCount: 11 }, memory.read)).rejects.toMatchObject({ code: 'RESUME_CHECKPOINT_UNUSABLE' });
  });
});

/** The dying runs checkpoint whenever they may; the resumed ones keep the default schedule. */
const checkpointAtEveryEntry = { checkpointEveryMs: 0, checkpointEveryBytes: 1 } as const;

describe('resume from a constant-size checkpoint', () => {
  let scratch: Awaited<ReturnType<typeof scratchDir>>;
  let repository: Repository;
  let source: string;

  beforeAll(async () => {
    scratch = await scratchDir('checkpoint-size');
    source = join(scratch.path, 'source');
    // Tiny manifest chunks and links of four ids: a few thousand files give a chain of many links.
    repository = await localRepository(join(scratch.path, 'repo'), { metadataChunking: { algorithm: 'fastcdc-gear-2020', minSize: 256, avgSize: 1024, maxSize: 4096 } });
    const tree = new TreeBuilder(source);
    // Empty files and a few too large for a bundle: checkpoints come only while no bundle is open.
    for (let i = 0; i < 3000; i++) await tree.file(`d${i % 17}/file-with-a-longer-name-${i}.txt`, i % 300 === 0 ? randomBytes(100_000) : '');
  }, 120_000);
  afterAll(() => scratch.cleanup());

  it('a run that died after a mid-tree checkpoint resumes from it (decoded from JSON) to the uninterrupted manifest', async () => {
    const options = { source, volume: 'v', parent: 'none', manifestListLinkIds: 4 } as const;
    const checkpoints: string[] = [];
    const died = new Error('mover killed');
    await expect(
      runBackup(repository, {
        ...options,
        ...checkpointAtEveryEntry,
        onCheckpoint: (checkpoint) => {
          checkpoints.push(JSON.stringify(checkpoint));
          if (checkpoint.manifestChunkCount > 40) throw died;
        },
      }),
    ).rejects.toBe(died);
    const last = backupCheckpointCodec.decodeJson(checkpoints.at(-1)!);
    expect(last.manifestChunks).toBeUndefined();
    expect(Math.max(...checkpoints.map((json) => json.length))).toBeLessThan(1024);

    const resumed = await runBackup(repository, { ...options, resumeFrom: last });
    expect(resumed.snapshot.id).toBe(last.sessionId);
    const uninterrupted = await runBackup(repository, options);
    expect(resumed.snapshot.manifest).toEqual(uninterrupted.snapshot.manifest);
    expect(resumed.snapshot.manifest.length).toBeGreaterThan(40);

    const target = join(scratch.path, 'restored');
    await runRestore(repository, { snapshotId: resumed.snapshot.id, target });
    expect(comparable(await digestTree(target))).toEqual(comparable(await digestTree(source)));
  }, 120_000);

  it('resumes from a V1 checkpoint that lists its manifest chunks inline', async () => {
    const options = { source, volume: 'w', parent: 'none' } as const;
    const died = new Error('mover killed');
    let v1: string | undefined;
    await expect(
      runBackup(repository, {
        ...options,
        ...checkpointAtEveryEntry,
        onCheckpoint: async (checkpoint) => {
          if (checkpoint.manifestChunkCount < 20) return;
          // What a mover from before V2 heartbeated at this point: every id inline.
          const { manifestList: _list, manifestChunkCount: _count, ...rest } = checkpoint;
          v1 = JSON.stringify({ ...rest, version: 1, manifestChunks: await chunksOf(checkpoint) });
          throw died;
        },
      }),
    ).rejects.toBe(died);
    const resumed = await runBackup(repository, { ...options, resumeFrom: backupCheckpointCodec.decodeJson(v1!) });
    const uninterrupted = await runBackup(repository, options);
    expect(resumed.snapshot.manifest).toEqual(uninterrupted.snapshot.manifest);
  }, 120_000);

  async function chunksOf(checkpoint: BackupCheckpoint): Promise<string[]> {
    const reader = new ChunkReader(repository, (await loadIndex(repository)).index);
    return readManifestList(checkpoint, (id) => reader.read(id));
  }
});
