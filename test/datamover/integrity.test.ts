import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runBackup } from '../../lib/datamover/backup/backup.js';
import { ChunkVerificationError, CorruptObjectError, WrongRepositoryKeyError } from '../../lib/datamover/errors.js';
import { INDEX_PREFIX, PACKS_PREFIX, snapshotKey } from '../../lib/datamover/repository/layout.js';
import { Repository } from '../../lib/datamover/repository/repository.js';
import { runRestore } from '../../lib/datamover/restore/restore.js';
import { ChunkReader } from '../../lib/datamover/restore/chunk-reader.js';
import { loadIndex } from '../../lib/datamover/repository/index-store.js';
import { openManifest } from '../../lib/datamover/manifest/manifest-reader.js';
import { LocalBackend } from '../../lib/datamover/storage/local-backend.js';
import { localRepository, scratchDir, TEST_SECRET } from './helpers/repository-fixture.js';
import { TreeBuilder } from './helpers/tree-builder.js';

async function firstKey(repository: Repository, prefix: string): Promise<string> {
  for await (const object of repository.backend.list(prefix)) return object.key;
  throw new Error(`nothing under ${prefix}`);
}

async function flipByte(root: string, key: string, offset: number): Promise<void> {
  const path = join(root, ...key.split('/'));
  const bytes = await readFile(path);
  bytes[offset]! ^= 0xff;
  await writeFile(path, bytes);
}

describe('integrity: corruption and wrong keys are detected and named', () => {
  let scratch: Awaited<ReturnType<typeof scratchDir>>;
  let repositoryRoot: string;
  let repository: Repository;
  let snapshotId: string;

  beforeEach(async () => {
    scratch = await scratchDir('integrity');
    repositoryRoot = join(scratch.path, 'repo');
    repository = await localRepository(repositoryRoot);
    const source = join(scratch.path, 'source');
    await new TreeBuilder(source).file('data/payload.bin', randomBytes(600_000)).then((tree) => tree.file('note.txt', 'small'));
    snapshotId = (await runBackup(repository, { source, volume: 'v' })).snapshot.id;
  });
  afterEach(() => scratch.cleanup());

  it('a tampered pack fails restore with ChunkVerificationError naming the file', async () => {
    await flipByte(repositoryRoot, await firstKey(repository, PACKS_PREFIX), 100);
    const failure = await runRestore(repository, { snapshotId, target: join(scratch.path, 'out') }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ChunkVerificationError);
    expect((failure as ChunkVerificationError).path).toBe('data/payload.bin');
    expect((failure as ChunkVerificationError).objectKey).toMatch(/^packs\//);
  });

  it('a tampered bundle of small files fails restore naming a file it holds', async () => {
    const smallOnly = await localRepository(join(scratch.path, 'small-only'));
    const source = join(scratch.path, 'small-source');
    await new TreeBuilder(source).file('a/one.txt', 'one '.repeat(500)).then((tree) => tree.file('a/two.txt', 'two'));
    const { snapshot } = await runBackup(smallOnly, { source, volume: 'v' });
    // The pack also holds the manifest: find the bundle itself through the manifest and the index.
    const { index } = await loadIndex(smallOnly);
    const reader = new ChunkReader(smallOnly, index);
    const manifest = await openManifest(snapshot.manifest, (id) => reader.read(id));
    let bundleId: string | undefined;
    for await (const entry of manifest.entries) if (entry.path === 'a/one.txt') bundleId = entry.bundle?.id;
    const location = index.lookup(Buffer.from(bundleId!, 'hex'))!;
    await flipByte(join(scratch.path, 'small-only'), location.packKey, location.offset + 10);
    const failure = await runRestore(smallOnly, { snapshotId: snapshot.id, target: join(scratch.path, 'out') }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ChunkVerificationError);
    expect((failure as ChunkVerificationError).path).toBe('a/one.txt');
  });

  it('refuses a wrong storage secret', async () => {
    await expect(Repository.open(new LocalBackend(repositoryRoot), 'not-the-secret')).rejects.toBeInstanceOf(WrongRepositoryKeyError);
    await expect(Repository.open(new LocalBackend(repositoryRoot), TEST_SECRET)).resolves.toBeInstanceOf(Repository);
  });

  it('detects an altered repository header field', async () => {
    const path = join(repositoryRoot, 'config');
    const header = JSON.parse(await readFile(path, 'utf8'));
    header.smallFileMax = 1;
    await writeFile(path, JSON.stringify(header));
    await expect(Repository.open(new LocalBackend(repositoryRoot), TEST_SECRET)).rejects.toBeInstanceOf(WrongRepositoryKeyError);
  });

  it('names a corrupt snapshot and a corrupt index object', async () => {
    await flipByte(repositoryRoot, snapshotKey(snapshotId), 20);
    await expect(repository.readSnapshot(snapshotId)).rejects.toThrow(new CorruptObjectError(snapshotKey(snapshotId), 'authentication failed (altered, truncated or from another repository)').message);
    const indexKey = await firstKey(repository, INDEX_PREFIX);
    await flipByte(repositoryRoot, indexKey, 20);
    const failure = await runRestore(repository, { snapshotId, target: join(scratch.path, 'out') }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(CorruptObjectError);
  });

  it('an object moved to another key does not open', async () => {
    const bytes = await repository.backend.get(snapshotKey(snapshotId));
    await repository.backend.put(snapshotKey('forged'), bytes);
    await expect(repository.readSnapshot('forged')).rejects.toBeInstanceOf(CorruptObjectError);
  });
});
