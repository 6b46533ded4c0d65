import { execFileSync } from 'node:child_process';
import { chmod, chown } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  chunkIdsOfEncodedContent,
  encodedContentFields,
  encodeManifestEntry,
  type ManifestEntry,
  type Snapshot,
} from '../../proto/repository/index.js';
import { runBackup } from '../../lib/datamover/backup/backup.js';
import { manifestRunFetcher } from '../../lib/datamover/backup/manifest-chunk-runs.js';
import { ChunkSplitter } from '../../lib/datamover/chunking/chunk-splitter.js';
import { openManifest, openManifestLines } from '../../lib/datamover/manifest/manifest-reader.js';
import { loadIndex } from '../../lib/datamover/repository/index-store.js';
import type { Repository } from '../../lib/datamover/repository/repository.js';
import { ChunkReader } from '../../lib/datamover/restore/chunk-reader.js';
import { localRepository, scratchDir } from './helpers/repository-fixture.js';
import { pseudoRandomBytes, TreeBuilder } from './helpers/tree-builder.js';

/**
 * An unchanged re-run carries each unchanged file's previous manifest line over as is instead of decoding,
 * comparing and re-encoding it. These tests hold that shortcut to the slow path's bytes, and check that a
 * change it must not miss (mode, owner, attributes, with data, size and mtime untouched) still shows.
 */
async function manifestLines(repository: Repository, snapshot: Snapshot): Promise<string[]> {
  const reader = new ChunkReader(repository, (await loadIndex(repository)).index);
  const { batches } = await openManifestLines(snapshot.manifest, (id) => reader.read(id));
  const lines: string[] = [];
  for await (const batch of batches) for (const line of batch) lines.push(line.line);
  return lines;
}

async function manifestEntries(repository: Repository, snapshot: Snapshot): Promise<Map<string, ManifestEntry>> {
  const reader = new ChunkReader(repository, (await loadIndex(repository)).index);
  const entries = new Map<string, ManifestEntry>();
  for await (const entry of (await openManifest(snapshot.manifest, (id) => reader.read(id))).entries) entries.set(entry.path, entry);
  return entries;
}

function withoutContent(entry: ManifestEntry): ManifestEntry {
  const { chunks: _chunks, bundle: _bundle, holes: _holes, ...metadata } = entry;
  return metadata;
}

function setXattr(path: string, name: string, value: string): void {
  execFileSync('setfattr', ['-n', name, '-v', value, path]);
}

describe('carried manifest lines', () => {
  let scratch: Awaited<ReturnType<typeof scratchDir>>;
  let repository: Repository;
  let source: string;

  beforeEach(async () => {
    scratch = await scratchDir('carried-lines');
    source = join(scratch.path, 'source');
    repository = await localRepository(join(scratch.path, 'repo'));
    const tree = new TreeBuilder(source);
    for (let i = 0; i < 40; i++) await tree.file(`small/f${i}.txt`, `small file ${i} `.repeat(i + 1));
    await tree.file('big.bin', pseudoRandomBytes(1_500_000, 'big'));
    await tree.file('empty', '');
    await tree.file('names/ünï cødé "quoted" \\ back\tslash.txt', 'awkward');
    await tree.file('names/\u{1F600} emoji.txt', 'emoji');
    await tree.file('exec.sh', '#!/bin/sh\n', 0o755);
    await tree.sparse('sparse.img', 8 * 1024 * 1024, [{ offset: 3 * 1024 * 1024, bytes: pseudoRandomBytes(200_000, 'island') }]);
    await tree.hardlink('small/link-to-f1', 'small/f1.txt');
    await tree.symlink('symlink', 'big.bin');
    setXattr(join(source, 'small/f2.txt'), 'user.team', 'storage');
  });
  afterEach(() => scratch.cleanup());

  it('an unchanged re-run writes the manifest byte for byte as a run that reads everything', async () => {
    const first = await runBackup(repository, { source, volume: 'v', parent: 'none' });
    const carried = await runBackup(repository, { source, volume: 'v' });
    const readAgain = await runBackup(repository, { source, volume: 'v', parent: 'none' });
    // The walk on its own thread must change nothing, whether files are read or carried.
    const threadedRead = await runBackup(repository, { source, volume: 'v', parent: 'none', walkThread: true });
    const threadedCarried = await runBackup(repository, { source, volume: 'v', walkThread: true });
    expect(threadedRead.snapshot.manifest).toEqual(first.snapshot.manifest);
    expect(threadedCarried.snapshot.manifest).toEqual(first.snapshot.manifest);
    expect(threadedCarried.snapshot.stats.filesRead).toBe(0);
    expect(carried.snapshot.parentId).toBe(first.snapshot.id);
    expect(carried.snapshot.stats.filesRead).toBe(0);
    expect(readAgain.snapshot.stats.filesRead).toBe(first.snapshot.stats.filesRead);
    expect(carried.snapshot.manifest).toEqual(readAgain.snapshot.manifest);
    expect(carried.snapshot.manifest).toEqual(first.snapshot.manifest);

    // Every line is what the encoder writes for its decoded entry, and the shortcut's split of it (metadata
    // built from the entry, content taken from the line) puts it back together exactly.
    const lines = await manifestLines(repository, carried.snapshot);
    const entries = [...(await manifestEntries(repository, carried.snapshot)).values()];
    expect(lines).toHaveLength(entries.length);
    let split = 0;
    for (const [at, entry] of entries.entries()) {
      expect(encodeManifestEntry(entry)).toBe(lines[at]);
      const content = encodedContentFields(lines[at]!, withoutContent(entry));
      expect(content).toBeDefined();
      expect(chunkIdsOfEncodedContent(content!)).toEqual(entry.bundle ? [entry.bundle.id] : (entry.chunks ?? []));
      if (content !== '') split++;
    }
    // Bundled small files, the chunked big file and the sparse file all went through the split.
    expect(split).toBeGreaterThanOrEqual(43);
  });

  it('takes the parent manifest\'s chunks as they are where the tree is unchanged, and cuts them the same', async () => {
    const tree = new TreeBuilder(source);
    for (let i = 0; i < 3000; i++) await tree.file(`wide/d${i % 30}/file-${i}.txt`, `content ${i}`);
    const first = await runBackup(repository, { source, volume: 'v' });
    // Where the cuts fall depends on the repository's random chunker key; only the manifest's size is fixed.
    // More than two chunks' worth at the largest size: at least three chunks, whatever the key.
    const parentReader = new ChunkReader(repository, (await loadIndex(repository)).index);
    const parentChunks = await Promise.all(first.snapshot.manifest.map((id) => parentReader.read(id)));
    const parentBytes = Buffer.concat(parentChunks);
    expect(parentBytes.length).toBeGreaterThan(2 * repository.metadataChunker.maxSize);
    expect(first.snapshot.manifest.length).toBeGreaterThanOrEqual(3);
    const cut = vi.spyOn(repository.metadataChunker, 'cut');
    const unchanged = await runBackup(repository, { source, volume: 'v' });
    const chunksCut = () => cut.mock.results.filter((result) => (result.value as number) > 0).length;
    // Only the last chunk (it ended with the stream, not at a cut point) went through the chunker.
    expect(unchanged.snapshot.manifest).toEqual(first.snapshot.manifest);
    expect(chunksCut()).toBe(1);
    // Change a file whose line sits in the middle of the parent's second chunk, as this key cut it: the first
    // chunk comes before the change, and more than the largest chunk follows the start of the second, so the
    // chunk with the change is never the last one.
    const secondStart = parentChunks[0]!.length;
    const secondEnd = secondStart + parentChunks[1]!.length;
    let lineStart = parentBytes.indexOf(0x0a, secondStart + (parentChunks[1]!.length >> 1)) + 1;
    let changedLine = JSON.parse(parentBytes.subarray(lineStart, parentBytes.indexOf(0x0a, lineStart)).toString()) as ManifestEntry;
    while (changedLine.type !== 'file' || !changedLine.path.startsWith('wide/')) {
      lineStart = parentBytes.indexOf(0x0a, lineStart) + 1;
      changedLine = JSON.parse(parentBytes.subarray(lineStart, parentBytes.indexOf(0x0a, lineStart)).toString()) as ManifestEntry;
    }
    expect(parentBytes.indexOf(0x0a, lineStart)).toBeLessThan(secondEnd);
    expect(parentBytes.length - secondStart).toBeGreaterThan(repository.metadataChunker.maxSize);
    await tree.file(changedLine.path, 'changed, and longer than before');
    cut.mockClear();
    const changed = await runBackup(repository, { source, volume: 'v' });
    // Each chunk the parent offered (all but its last, which ended with its stream) was taken as it is where
    // it recurs; every other chunk went through the chunker.
    const offered = new Set(first.snapshot.manifest.slice(0, -1));
    expect(chunksCut()).toBe(changed.snapshot.manifest.filter((id) => !offered.has(id)).length);
    // The first chunk, before the change, is the parent's; the chunk with the change and the last were cut.
    expect(changed.snapshot.manifest[0]).toBe(first.snapshot.manifest[0]);
    expect(chunksCut()).toBeGreaterThan(1);
    expect(chunksCut()).toBeLessThan(changed.snapshot.manifest.length);
    cut.mockRestore();
    // Exactly the chunks that cutting the whole new manifest gives, most of them still the parent's.
    const reader = new ChunkReader(repository, (await loadIndex(repository)).index);
    const bytes = Buffer.concat(await Promise.all(changed.snapshot.manifest.map((id) => reader.read(id))));
    const splitter = new ChunkSplitter(repository.metadataChunker);
    const recut = [...splitter.push(bytes), ...splitter.finish()].map((chunk) => repository.chunkIdOf(chunk.bytes).toString('hex'));
    expect(changed.snapshot.manifest).toEqual(recut);
    expect(changed.snapshot.manifest).not.toEqual(first.snapshot.manifest);
    expect(changed.snapshot.manifest.filter((id) => first.snapshot.manifest.includes(id)).length).toBeGreaterThan(first.snapshot.manifest.length / 2);
  });

  it('refuses a line whose metadata differs in any field, however small', async () => {
    const first = await runBackup(repository, { source, volume: 'v' });
    const entries = await manifestEntries(repository, first.snapshot);
    const lines = new Map((await manifestLines(repository, first.snapshot)).map((line) => [JSON.parse(line).path as string, line]));
    const file = withoutContent(entries.get('small/f2.txt')!);
    const line = lines.get('small/f2.txt')!;
    expect(encodedContentFields(line, file)).toMatch(/^,"bundle":/);
    const changes: Partial<ManifestEntry>[] = [
      { mode: file.mode ^ 0o100 },
      { uid: file.uid + 1 },
      { gid: file.gid + 1 },
      { mtimeNs: String(BigInt(file.mtimeNs) + 1n) },
      { size: file.size + 1 },
      { ino: `${file.ino}0` },
      { nlink: 2 },
      { path: 'small/f3.txt' },
      { xattrs: undefined },
      { xattrs: { 'user.team': Buffer.from('storagE').toString('base64') } },
      { xattrs: { ...file.xattrs, 'user.other': '' } },
    ];
    for (const change of changes) expect(encodedContentFields(line, { ...file, ...change })).toBeUndefined();
    // Content fields on the fresh entry, or a line whose content part is not the encoder's, are refused too.
    expect(encodedContentFields(line, { ...file, chunks: [] })).toBeUndefined();
    expect(encodedContentFields(line.replace(',"offset":', ',"offset": '), file)).toBeUndefined();
  });

  it('notices a changed mode, owner or attribute on a file whose data, size and mtime did not change', async () => {
    const first = await runBackup(repository, { source, volume: 'v' });
    await chmod(join(source, 'small/f3.txt'), 0o600);
    await chown(join(source, 'small/f4.txt'), 4242, 4343);
    setXattr(join(source, 'small/f5.txt'), 'user.added', 'yes');
    setXattr(join(source, 'small/f2.txt'), 'user.team', 'databases');
    const second = await runBackup(repository, { source, volume: 'v' });
    expect(second.snapshot.stats.filesRead).toBe(0);
    expect(second.snapshot.manifest).not.toEqual(first.snapshot.manifest);
    const before = await manifestEntries(repository, first.snapshot);
    const after = await manifestEntries(repository, second.snapshot);
    expect(after.get('small/f3.txt')!.mode).toBe(0o600);
    expect([after.get('small/f4.txt')!.uid, after.get('small/f4.txt')!.gid]).toEqual([4242, 4343]);
    expect(after.get('small/f5.txt')!.xattrs).toEqual({ 'user.added': Buffer.from('yes').toString('base64') });
    expect(after.get('small/f2.txt')!.xattrs).toEqual({ 'user.team': Buffer.from('databases').toString('base64') });
    for (const path of ['small/f2.txt', 'small/f3.txt', 'small/f4.txt', 'small/f5.txt']) {
      expect(after.get(path)!.bundle).toEqual(before.get(path)!.bundle);
    }
    for (const [path, entry] of after) {
      if (!['small/f2.txt', 'small/f3.txt', 'small/f4.txt', 'small/f5.txt', '.', 'small'].includes(path)) expect(entry).toEqual(before.get(path));
    }
  });

  it('reads the parent manifest a run of chunks at a time, each chunk verified as a plain read verifies it', async () => {
    // Small manifest chunks with a low maxSize: the chunk count has a floor (manifest bytes / maxSize)
    // whatever cut points this repository's random chunker key picks.
    repository = await localRepository(join(scratch.path, 'small-chunks'), {
      metadataChunking: { algorithm: 'fastcdc-gear-2020', minSize: 2 * 1024, avgSize: 4 * 1024, maxSize: 8 * 1024 },
    });
    const tree = new TreeBuilder(source);
    for (let i = 0; i < 3000; i++) await tree.file(`many/${String(i).padStart(5, '0')}-${'n'.repeat(60)}`, `${i}`);
    const { snapshot } = await runBackup(repository, { source, volume: 'v' });
    expect(snapshot.manifest.length).toBeGreaterThan(8);
    const index = (await loadIndex(repository)).index;
    const plain = new ChunkReader(repository, index);
    const expected = await Promise.all(snapshot.manifest.map((id) => plain.read(id)));
    const gets = vi.spyOn(repository.backend, 'get');
    const fetch = manifestRunFetcher(new ChunkReader(repository, index), index, repository.keys, snapshot.manifest);
    const fetched = await Promise.all(snapshot.manifest.map((id) => fetch(id)));
    expect(fetched).toEqual(expected);
    // The manifest's chunks sit back to back after the one bundle: far fewer reads than chunks.
    expect(gets.mock.calls.length).toBeLessThan(snapshot.manifest.length / 2);
    gets.mockRestore();

    // A flipped byte in a fetched run fails that chunk's verification, as it does for a plain read.
    const original = repository.backend.get.bind(repository.backend);
    vi.spyOn(repository.backend, 'get').mockImplementation(async (key, range) => {
      const bytes = Buffer.from(await original(key, range));
      const middle = bytes.length >> 1;
      bytes[middle] = bytes[middle]! ^ 0x40;
      return bytes;
    });
    const corrupted = manifestRunFetcher(new ChunkReader(repository, index), index, repository.keys, snapshot.manifest);
    const outcomes = await Promise.allSettled(snapshot.manifest.map((id) => corrupted(id)));
    expect(outcomes.some((outcome) => outcome.status === 'rejected' && /ChunkVerification|authentication|does not match/.test(String(outcome.reason?.name ?? '') + String(outcome.reason?.message ?? '')))).toBe(true);
    vi.restoreAllMocks();
  });
});
