import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { lstat, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ManifestEntry } from '../../proto/repository/index.js';
import { runBackup } from '../../lib/datamover/backup/backup.js';
import { walkInBatches } from '../../lib/datamover/backup/walk-batches.js';
import { UnsafeManifestPathError } from '../../lib/datamover/errors.js';
import { bytesOfName, fsPath, isCanonicalName, nameFromBytes } from '../../lib/datamover/manifest/file-names.js';
import { openManifest } from '../../lib/datamover/manifest/manifest-reader.js';
import { loadIndex } from '../../lib/datamover/repository/index-store.js';
import type { Repository } from '../../lib/datamover/repository/repository.js';
import { ChunkReader } from '../../lib/datamover/restore/chunk-reader.js';
import type { ContentIo } from '../../lib/datamover/restore/file-writer.js';
import { runRestore } from '../../lib/datamover/restore/restore.js';
import { TreeRestore } from '../../lib/datamover/restore/tree-restore.js';
import { localRepository } from './helpers/repository-fixture.js';
import { scratchDirPerTest } from './helpers/repository-scene.js';
import { pseudoRandomBytes } from './helpers/tree-builder.js';

/**
 * An independent decoder to check nameFromBytes against: at each byte, the one length (UTF-8 is prefix
 * free) whose bytes the platform's strict decoder accepts as a single character, else the byte escaped.
 */
function referenceName(bytes: Buffer): string {
  const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let name = '';
  for (let at = 0; at < bytes.length; ) {
    let decoded: string | undefined;
    for (let length = 1; length <= 4 && at + length <= bytes.length && decoded === undefined; length++) {
      try {
        const text = strict.decode(bytes.subarray(at, at + length));
        if ([...text].length === 1) {
          decoded = text;
          at += length;
        }
      } catch {
        // Not a whole character at this length.
      }
    }
    if (decoded === undefined) decoded = String.fromCharCode(0xdc00 + bytes[at++]!);
    name += decoded;
  }
  return name;
}

/** Deterministic pseudo-random numbers, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return ((state ^ (state >>> 13)) >>> 0) / 2 ** 32;
  };
}

/** One example of each way bytes fail to be UTF-8, and a few valid sequences to mix them with. */
const INVALID: [string, number[], string][] = [
  ['an invalid lead byte', [0xff], '\udcff'],
  ['leads that never start a sequence', [0xc0, 0xc1, 0xf5, 0xf8, 0xfe], '\udcc0\udcc1\udcf5\udcf8\udcfe'],
  ['a lone continuation byte', [0x80], '\udc80'],
  ['a bad continuation', [0xc3, 0x41], '\udcc3A'],
  ['an overlong two-byte `/`', [0xc0, 0xaf], '\udcc0\udcaf'],
  ['an overlong three-byte sequence', [0xe0, 0x80, 0xaf], '\udce0\udc80\udcaf'],
  ['an overlong four-byte sequence', [0xf0, 0x80, 0x80, 0xaf], '\udcf0\udc80\udc80\udcaf'],
  ['an encoded surrogate', [0xed, 0xa0, 0x80], '\udced\udca0\udc80'],
  ['an encoded low surrogate', [0xed, 0xbf, 0xbf], '\udced\udcbf\udcbf'],
  ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80], '\udcf4\udc90\udc80\udc80'],
  ['a truncated sequence before ASCII', [0xe2, 0x82, 0x2f], '\udce2\udc82/'],
  ['a truncated sequence at the end', [0x61, 0xf0, 0x9f, 0x98], 'a\udcf0\udc9f\udc98'],
  ['Latin-1', [0x63, 0x61, 0x66, 0xe9], 'caf\udce9'],
];
const VALID = ['a', '/', '.', 'é', '€', '\ufffd', '\u{1F600}', '\u{10FFFF}', '\u{10080}', '\ud7ff', '\ue000', 'ü'].map((text) => Buffer.from(text));

describe('names as bytes (surrogateescape)', () => {
  it.each(INVALID)('escapes %s byte by byte and restores the bytes', (_what, bytes, expected) => {
    const name = nameFromBytes(Buffer.from(bytes));
    expect(name).toBe(expected);
    expect(bytesOfName(name)).toEqual(Buffer.from(bytes));
    expect(fsPath(name)).toEqual(Buffer.from(bytes));
  });

  it('maps valid UTF-8 to the string itself, U+FFFD and characters whose pairs hold U+DC80..U+DCFF included', () => {
    const next = random(7);
    const samples = ['', 'plain.txt', 'ünï cødé', '日本語ファイル.txt', 'emoji \u{1F600}', 'literal \ufffd replacement', '\u{10080}\u{103FF}'];
    for (let i = 0; i < 500; i++) {
      let text = '';
      for (let length = Math.floor(next() * 12); length > 0; length--) {
        let code = Math.floor(next() * (next() < 0.5 ? 0x80 : 0x110000));
        if (code >= 0xd800 && code <= 0xdfff) code = 0xfffd;
        text += String.fromCodePoint(code);
      }
      samples.push(text);
    }
    for (const text of samples) {
      expect(nameFromBytes(Buffer.from(text))).toBe(text);
      expect(bytesOfName(text)).toEqual(Buffer.from(text));
      expect(isCanonicalName(text)).toBe(true);
    }
    expect(fsPath('/plain/path')).toBe('/plain/path');
  });

  it('round-trips random byte strings, agrees with a strict decoder, and never spells two byte strings alike', () => {
    const next = random(42);
    const names = new Map<string, string>();
    for (let i = 0; i < 3000; i++) {
      const pieces: Buffer[] = [];
      for (let count = Math.floor(next() * 8); count > 0; count--) {
        const kind = next();
        if (kind < 0.3) pieces.push(Buffer.from(INVALID[Math.floor(next() * INVALID.length)]![1]));
        else if (kind < 0.6) pieces.push(VALID[Math.floor(next() * VALID.length)]!);
        else pieces.push(Buffer.from(Array.from({ length: 1 + Math.floor(next() * 6) }, () => Math.floor(next() * 256))));
      }
      const bytes = Buffer.concat(pieces);
      const name = nameFromBytes(bytes);
      expect(name).toBe(referenceName(bytes));
      expect(bytesOfName(name).equals(bytes)).toBe(true);
      expect(isCanonicalName(name)).toBe(true);
      // Escapes are the only lone surrogates a name holds.
      expect(name.replace(/[\ud800-\udbff][\udc00-\udfff]/g, '')).not.toMatch(/[\ud800-\udc7f\udd00-\udfff]/);
      const hex = bytes.toString('hex');
      expect(names.get(name) ?? hex).toBe(hex);
      names.set(name, hex);
    }
    expect(names.size).toBeGreaterThan(2000);
  });

  it('tells spellings no backup writes: escaped valid UTF-8, other lone surrogates', () => {
    expect(isCanonicalName('caf\udce9')).toBe(true);
    expect(isCanonicalName('caf\udcc3\udca9')).toBe(false);
    expect(bytesOfName('caf\udcc3\udca9')).toEqual(Buffer.from('café'));
    expect(isCanonicalName('a\ud800')).toBe(false);
    expect(isCanonicalName('a\udc41')).toBe(false);
  });
});

/** Builds a path from text and raw byte segments: Node takes a Buffer as a path everywhere. */
function bytePath(...segments: (string | number[])[]): Buffer {
  return Buffer.concat(segments.map((segment) => (typeof segment === 'string' ? Buffer.from(segment) : Buffer.from(segment))));
}

interface EntryFacts {
  type: string;
  mode: number;
  size: number;
  mtimeMs?: number;
  sha256?: string;
  target?: string;
  /** Hex names of the entries sharing this inode. */
  links?: string[];
}

/** Every entry below `root` by the hex of its relative path's bytes: nothing decoded, so nothing lost. */
function factsByBytes(root: string): Map<string, EntryFacts> {
  const facts = new Map<string, EntryFacts>();
  const inodes = new Map<bigint, string[]>();
  const visit = (absolute: Buffer, relative: Buffer) => {
    const stats = lstatSync(absolute, { bigint: true });
    const type = stats.isDirectory() ? 'dir' : stats.isSymbolicLink() ? 'symlink' : stats.isFile() ? 'file' : stats.isFIFO() ? 'fifo' : 'other';
    const key = relative.length === 0 ? '.' : relative.toString('hex');
    const fact: EntryFacts = { type, mode: Number(stats.mode & 0o7777n), size: type === 'file' ? Number(stats.size) : 0 };
    if (type === 'file' || type === 'symlink') fact.mtimeMs = Number(stats.mtimeNs / 1_000_000n);
    if (type === 'file') {
      fact.sha256 = createHash('sha256').update(readFileSync(absolute)).digest('hex');
      if (stats.nlink > 1n) {
        const names = inodes.get(stats.ino) ?? [];
        names.push(key);
        inodes.set(stats.ino, names);
        fact.links = names;
      }
    }
    if (type === 'symlink') fact.target = readlinkSync(absolute, { encoding: 'buffer' }).toString('hex');
    facts.set(key, fact);
    if (type !== 'dir') return;
    for (const name of readdirSync(absolute, { encoding: 'buffer' })) {
      visit(Buffer.concat([absolute, Buffer.from('/'), name]), relative.length === 0 ? name : Buffer.concat([relative, Buffer.from('/'), name]));
    }
  };
  visit(Buffer.from(root), Buffer.alloc(0));
  for (const fact of facts.values()) fact.links?.sort();
  return facts;
}

function isUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

function installed(program: string): boolean {
  try {
    execFileSync('which', [program], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const withXattrs = installed('setfattr') && installed('getfattr');

/** `user.` attributes by the bytes of each path relative to `root` (hex), from getfattr's own dump. */
function userXattrs(root: string): Map<string, string> {
  const dump = execFileSync('getfattr', ['--absolute-names', '--no-dereference', '--recursive', '--dump', '--match=^user\\.', '--encoding=base64', root], {
    env: { ...process.env, LC_ALL: 'C' },
  });
  const found = new Map<string, string>();
  let current: string | undefined;
  for (const line of dump.toString('latin1').split('\n')) {
    if (line.startsWith('# file: ')) {
      // getfattr writes path bytes as they are, but for backslashes and line breaks (none in these names).
      const path = Buffer.from(line.slice('# file: '.length), 'latin1');
      current = path.subarray(Buffer.byteLength(root) + 1).toString('hex');
    } else if (line.includes('=') && current !== undefined) {
      found.set(current, `${found.get(current) ?? ''}${line};`);
    }
  }
  return found;
}

describe('names that are not UTF-8 are backed up and restored byte for byte', () => {
  const scratch = scratchDirPerTest('non-utf8');
  let repository: Repository;
  let source: string;

  beforeEach(async () => {
    source = join(scratch.path, 'source');
    repository = await localRepository(join(scratch.path, 'repo'));
  });

  /** The tree; returns the hex of the paths that are not valid UTF-8, which must all come back. */
  function buildTree(): string[] {
    const at = (...segments: (string | number[])[]) => bytePath(`${source}/`, ...segments);
    mkdirSync(source);
    writeFileSync(at('plain.txt'), 'plain');
    writeFileSync(at('f', [0xff, 0xfe], '.t'), 'invalid bytes');
    // Node spells this one just like the one above (f\ufffd\ufffd.t): both must survive, distinctly.
    writeFileSync(at('f', [0xfe, 0xff], '.t'), 'the other order');
    writeFileSync(at('caf', [0xe9]), 'latin-1');
    // Valid UTF-8 holding U+FFFD itself, next to names Node replaces bytes in.
    writeFileSync(at('literal \ufffd.txt'), 'a real replacement character');
    mkdirSync(at('d', [0xe9, 0xff]));
    writeFileSync(at('d', [0xe9, 0xff], '/inner', [0x80]), 'inside an invalid directory');
    writeFileSync(at('d', [0xe9, 0xff], '/plain.txt'), 'plain name, invalid parent');
    mkdirSync(at('d', [0xe9, 0xff], '/sub', [0xc3]));
    // Larger than a small file: read by the chunker, not bundled.
    writeFileSync(at('d', [0xe9, 0xff], '/sub', [0xc3], '/big', [0xed, 0xa0, 0x80], '.bin'), pseudoRandomBytes(300_000, 'big'));
    writeFileSync(at('d', [0xe9, 0xff], '/sub', [0xc3], '/x', [0xfe]), 'deep', { mode: 0o600 });
    symlinkSync(bytePath('target-', [0xfe, 0xff], '/../caf', [0xe9]), at('link', [0xff]));
    symlinkSync(bytePath('d', [0xe9, 0xff], '/inner', [0x80]), at('plain-link'));
    linkSync(at('caf', [0xe9]), at('hard', [0xfa]));
    // No program takes a path as bytes: made under a plain name, then renamed.
    execFileSync('mkfifo', ['-m', '640', join(source, 'fifo-staging')]);
    renameSync(at('fifo-staging'), at('fifo', [0xf5]));
    if (withXattrs) {
      writeFileSync(at('xattr-staging'), 'has attributes');
      execFileSync('setfattr', ['-n', 'user.team', '-v', 'storage', join(source, 'xattr-staging')]);
      renameSync(at('xattr-staging'), at('attr', [0xfe]));
      execFileSync('setfattr', ['-n', 'user.bytes', '-v', '0sAP8=', join(source, 'plain.txt')]);
    }
    return [...factsByBytes(source).keys()].filter((hex) => hex !== '.' && !isUtf8(Buffer.from(hex, 'hex')));
  }

  async function manifestEntries(manifest: string[]): Promise<ManifestEntry[]> {
    const { index } = await loadIndex(repository);
    const reader = new ChunkReader(repository, index);
    const entries: ManifestEntry[] = [];
    for await (const entry of (await openManifest(manifest, (id) => reader.read(id))).entries) entries.push(entry);
    return entries;
  }

  it('keeps every entry, its content, mode, type and link target, and extended attributes where setfattr exists', async () => {
    const invalid = buildTree();
    expect(invalid.length).toBeGreaterThanOrEqual(12);
    const before = factsByBytes(source);
    for (const path of invalid) expect(before.has(path)).toBe(true);

    const { snapshot } = await runBackup(repository, { source, volume: 'v', parent: 'none' });
    expect(snapshot.stats.entries).toBe(before.size);
    const entries = await manifestEntries(snapshot.manifest);
    expect(entries.find((entry) => entry.path === 'caf\udce9')).toMatchObject({ type: 'file', size: 7 });
    expect(entries.find((entry) => entry.path === 'hard\udcfa')).toMatchObject({ type: 'hardlink', linkTo: 'caf\udce9' });
    expect(entries.find((entry) => entry.path === 'link\udcff')!.target).toBe('target-\udcfe\udcff/../caf\udce9');
    expect(entries.find((entry) => entry.path === 'literal \ufffd.txt')).toBeDefined();

    const target = join(scratch.path, 'restored');
    const result = await runRestore(repository, { snapshotId: snapshot.id, target });
    expect(result.entries).toBe(before.size);
    expect(factsByBytes(target)).toEqual(before);
    if (withXattrs) {
      const attributes = userXattrs(source);
      expect(attributes.get(bytePath('attr', [0xfe]).toString('hex'))).toContain('user.team');
      expect(userXattrs(target)).toEqual(attributes);
    }
  });

  it('a resumed walk enters directories with escaped names to go on right after the checkpointed path', () => {
    buildTree();
    const paths = [...walkInBatches(source)].flat().map((item) => item.entry.path);
    expect(paths).toContain('d\udce9\udcff/sub\udcc3/x\udcfe');
    for (let at = 1; at < paths.length; at++) {
      expect([...walkInBatches(source, paths[at - 1])].flat().map((item) => item.entry.path)).toEqual(paths.slice(at));
    }
  });

  it('an incremental backup of the same tree (walked on its own thread) keeps every entry, reads nothing again, and restores the same', async () => {
    buildTree();
    const before = factsByBytes(source);
    const first = await runBackup(repository, { source, volume: 'v', parent: 'none' });
    const second = await runBackup(repository, { source, volume: 'v', parent: first.snapshot.id, walkThread: true });
    expect(second.snapshot.parentId).toBe(first.snapshot.id);
    expect(second.snapshot.stats.entries).toBe(before.size);
    // Every file was found in the parent's manifest by the merge join: walk and manifest agree on the order.
    expect(second.snapshot.stats.filesRead).toBe(0);
    expect(await manifestEntries(second.snapshot.manifest)).toEqual(await manifestEntries(first.snapshot.manifest));

    const target = join(scratch.path, 'restored');
    await runRestore(repository, { snapshotId: second.snapshot.id, target, writerThreads: 0 });
    expect(factsByBytes(target)).toEqual(before);
  });
});

describe('a forged manifest that spells one name two ways', () => {
  const base = { mode: 0o755, uid: 0, gid: 0, mtimeNs: '0', size: 0 };
  const scratch = scratchDirPerTest('non-utf8-forged');

  it.each([
    ['valid UTF-8 escaped byte by byte', 'caf\udcc3\udca9', 'café'],
    ['a lone high surrogate (written as U+FFFD)', 'a\ud800', 'a\ufffd'],
  ])('is refused: %s would reach a symlink restored under the other spelling', async (_what, forged, real) => {
    const outside = join(scratch.path, 'outside');
    await mkdir(outside);
    const entries: ManifestEntry[] = [
      { ...base, path: '.', type: 'dir' },
      { ...base, path: real, type: 'symlink', target: outside },
      { ...base, path: forged, type: 'dir' },
      { ...base, path: `${forged}/planted`, type: 'dir' },
    ];
    const result = { entries: 0, files: 0, bytes: 0, skipped: 0, bytesFetched: 0 };
    const restore = new TreeRestore({ snapshotId: 'forged', target: join(scratch.path, 'target'), restoreOwners: false, xattrs: false }, {} as ContentIo, 1, result);
    await expect(
      restore.run(
        (async function* () {
          yield* entries;
        })(),
      ),
    ).rejects.toBeInstanceOf(UnsafeManifestPathError);
    expect(await readdir(outside)).toEqual([]);
    await expect(lstat(join(outside, 'planted'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
