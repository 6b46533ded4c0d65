import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  backupCheckpointCodec,
  decodeManifestEntry,
  encodeManifestEntry,
  indexObjectCodec,
  manifestHeaderCodec,
  repositoryHeaderCodec,
  SchemaDecodeError,
  sessionLockCodec,
  snapshotCodec,
  tombstoneCodec,
  UnsupportedVersionError,
} from '../../proto/repository/index.js';
import { Repository } from '../../lib/datamover/repository/repository.js';
import { LocalBackend } from '../../lib/datamover/storage/local-backend.js';
import { scratchDir } from './helpers/repository-fixture.js';

/**
 * Golden files written by format version 1. They must decode with every future build: a repository
 * outlives the mover that wrote it. Never regenerate them; add files for new versions beside them.
 */
const V1 = fileURLToPath(new URL('./fixtures/v1/', import.meta.url));
const read = (name: string) => readFile(join(V1, name), 'utf8');

describe('repository format v1 keeps decoding', () => {
  it('opens a v1 repository header with its secret', async () => {
    const scratch = await scratchDir('golden');
    try {
      await mkdir(scratch.path, { recursive: true });
      await copyFile(join(V1, 'repository-header.json'), join(scratch.path, 'config'));
      const repository = await Repository.open(new LocalBackend(scratch.path), 'fixture-secret');
      expect(repository.header.repositoryId).toBe('782e6ca6-1c9d-4b31-b10c-8f4b3ab923eb');
      expect(repository.header.dataChunking.avgSize).toBe(1024 * 1024);
    } finally {
      await scratch.cleanup();
    }
  });

  it('decodes a v1 manifest with every entry type and re-encodes it byte for byte', async () => {
    const [headerLine, ...lines] = (await read('manifest.jsonl')).trim().split('\n');
    const header = manifestHeaderCodec.decodeJson(headerLine!);
    const entries = lines.map((line) => decodeManifestEntry(header.version, line));
    expect(entries.map((entry) => entry.type)).toEqual(['dir', 'dir', 'file', 'file', 'file', 'hardlink', 'symlink', 'fifo', 'chardev']);
    expect(entries[3]!.holes).toEqual([[65536, 10420224]]);
    expect(entries.map(encodeManifestEntry)).toEqual(lines);
  });

  it('decodes v1 index objects, snapshots, checkpoints, tombstones and locks', async () => {
    expect(indexObjectCodec.decodeJson(await read('index-object.json')).packs[0]!.chunks).toHaveLength(2);
    expect(snapshotCodec.decodeJson(await read('snapshot.json')).volume).toBe('cluster-a/ns/pvc-data');
    expect(backupCheckpointCodec.decodeJson(await read('checkpoint.json')).cursor).toBe('data/big.bin');
    expect(tombstoneCodec.decodeJson(await read('tombstone.json')).packs).toHaveLength(1);
    expect(sessionLockCodec.decodeJson(await read('session-lock.json')).kind).toBe('backup');
  });

  it('refuses versions it does not know with an actionable error', async () => {
    const future = { ...JSON.parse(await read('snapshot.json')), version: 99 };
    expect(() => snapshotCodec.decode(future)).toThrow(UnsupportedVersionError);
    expect(() => snapshotCodec.decode(future)).toThrow(/upgrade the data mover/);
    expect(() => decodeManifestEntry(2, '{}')).toThrow(UnsupportedVersionError);
  });

  it('rejects malformed messages naming the field', async () => {
    const header = JSON.parse(await read('repository-header.json'));
    delete header.kdf.salt;
    expect(() => repositoryHeaderCodec.decode(header)).toThrow(SchemaDecodeError);
    expect(() => decodeManifestEntry(1, '{"path":"a","type":"file","mode":420,"uid":0,"gid":0,"mtimeNs":"x","size":1}')).toThrow(/mtimeNs/);
  });
});
