import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { runBackup } from '../../lib/datamover/backup/backup.js';
import { WorkerSealer } from '../../lib/datamover/backup/worker-sealer.js';
import { ContentDefinedChunker } from '../../lib/datamover/chunking/fastcdc.js';
import { deriveGearTable } from '../../lib/datamover/chunking/gear-table.js';
import { openChunk } from '../../lib/datamover/crypto/chunk-sealing.js';
import { chunkId } from '../../lib/datamover/crypto/chunk-id.js';
import { dataChunkingWithAverage } from '../../lib/datamover/repository/repository.js';
import { runRestore } from '../../lib/datamover/restore/restore.js';
import type { Repository } from '../../lib/datamover/repository/repository.js';
import { comparable, digestTree } from './helpers/tree-digest.js';
import { localRepository, scratchDir } from './helpers/repository-fixture.js';
import { pseudoRandomBytes, textBytes, TreeBuilder } from './helpers/tree-builder.js';

const MiB = 1024 * 1024;

/**
 * Worker threads cut whole files (pieces moved to them, tails joined across reads) while the inline
 * sealer cuts on the calling thread. Both must produce the very same chunks, or an incremental backup by
 * one after the other would re-upload everything and resumed runs could diverge.
 */
describe('files cut on sealing workers', () => {
  let scratch: Awaited<ReturnType<typeof scratchDir>>;
  let repository: Repository;
  let source: string;

  beforeEach(async () => {
    scratch = await scratchDir('worker-chunking');
    source = join(scratch.path, 'source');
    repository = await localRepository(join(scratch.path, 'repo'));
  });
  afterEach(() => scratch.cleanup());

  it('cut exactly like the inline chunker, across read boundaries, and restore byte for byte', async () => {
    const tree = new TreeBuilder(source);
    // 8 MiB reads: these cross one, two and three read boundaries, one ends exactly on one.
    await tree.file('big/random-20m.bin', pseudoRandomBytes(20 * MiB + 12345, 'r20'));
    await tree.file('big/exactly-8m.bin', pseudoRandomBytes(8 * MiB, 'r8'));
    await tree.file('big/text-17m.log', textBytes(17 * MiB, 'log'));
    await tree.file('mid/just-above-small.bin', pseudoRandomBytes(64 * 1024 + 1, 'mid'));
    await tree.file('mid/one-chunk.bin', pseudoRandomBytes(300 * 1024, 'one'));
    for (let i = 0; i < 200; i++) await tree.file(`small/f${i}.txt`, textBytes(100 + i * 37, `s${i}`));

    const onWorkers = await runBackup(repository, { source, volume: 'v', parent: 'none', sealWorkers: 2 });
    expect(onWorkers.snapshot.stats.newChunks).toBeGreaterThan(20);
    const inline = await runBackup(repository, { source, volume: 'v', parent: 'none', sealWorkers: 0 });
    expect(inline.snapshot.manifest).toEqual(onWorkers.snapshot.manifest);
    expect(inline.snapshot.stats.newChunks).toBe(0);
    expect(inline.snapshot.stats.bytesRead).toBe(onWorkers.snapshot.stats.bytesRead);

    const target = join(scratch.path, 'restored');
    await runRestore(repository, { snapshotId: onWorkers.snapshot.id, target });
    expect(comparable(await digestTree(target))).toEqual(comparable(await digestTree(source)));
  }, 120_000);

  it('one file is cut on one worker and sealed on all of them, each chunk opening to its own bytes, its read buffers reused', async () => {
    const keys = { dataKey: randomBytes(32), idKey: randomBytes(32) };
    const params = dataChunkingWithAverage(64 * 1024);
    const gear = deriveGearTable(randomBytes(32));
    const sealer = new WorkerSealer({ keys, compressionLevel: 3, chunking: { params, gear }, threads: 2 });
    const file = Buffer.concat([textBytes(12 * MiB, 'one-file'), pseudoRandomBytes(12 * MiB, 'one-file')]);
    try {
      const stream = sealer.openStream();
      const sealed: Promise<{ id: Buffer; stored: Buffer; flags: number }>[] = [];
      const read = 4 * MiB;
      for (let offset = 0; offset <= file.length; offset += read) {
        // Read into the buffers the workers give back, as streamFile does: one handed back while a chunk
        // or the uncut tail still needed it would be overwritten here, and the chunks below would differ.
        const buffer = stream.readBuffer(read);
        const length = file.copy(buffer, 0, offset, offset + read);
        const { chunks } = await stream.push(buffer.subarray(0, length), offset + read > file.length);
        const piece = (await chunks).map(async ({ chunk }) => ({ id: chunk.id, ...(await chunk.seal()) }));
        sealed.push(...piece);
        await Promise.all(piece);
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect(sealer.reusedReadBuffers).toBeGreaterThan(0);
      const chunks = await Promise.all(sealed);
      // The cuts are the inline chunker's, and every sealed chunk opens to exactly those bytes.
      const chunker = new ContentDefinedChunker(params, gear);
      const expected: Buffer[] = [];
      for (let at = 0, length = chunker.cut(file, 0, file.length, true); length > 0; at += length, length = chunker.cut(file, at, file.length, true)) expected.push(file.subarray(at, at + length));
      expect(chunks.map(({ id }) => id.toString('hex'))).toEqual(expected.map((bytes) => chunkId(keys.idKey, bytes).toString('hex')));
      chunks.forEach(({ id, stored, flags }, i) => expect(openChunk(keys.dataKey, id, stored, flags)?.equals(expected[i]!)).toBe(true));
      // A single stream would leave the second worker idle if its chunks were sealed where they were cut.
      expect(sealer.sealedBy).toHaveLength(2);
      for (const count of sealer.sealedBy) expect(count).toBeGreaterThan(chunks.length / 10);
    } finally {
      await sealer.close();
    }
  }, 120_000);
});
