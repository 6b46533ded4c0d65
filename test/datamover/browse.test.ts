import { execFile } from 'node:child_process';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackup } from '../../lib/datamover/backup/backup.js';
import { snapshotArchive, type ArchiveFigures } from '../../lib/datamover/browse/snapshot-archive.js';
import { SnapshotBrowser } from '../../lib/datamover/browse/snapshot-browser.js';
import { InvalidArgumentError } from '../../lib/datamover/errors.js';
import { localRepository, scratchDir } from './helpers/repository-fixture.js';
import { pseudoRandomBytes, TreeBuilder } from './helpers/tree-builder.js';

const run = promisify(execFile);

/** A volume with small (bundled) and large (chunked, sparse) files, links, and a long name. */
let scratch: Awaited<ReturnType<typeof scratchDir>>;
let browser: SnapshotBrowser;
const big = pseudoRandomBytes(3_000_000, 'big');
const longName = `deep/${'n'.repeat(180)}.txt`;

beforeAll(async () => {
  scratch = await scratchDir('browse');
  const source = join(scratch.path, 'source');
  const tree = new TreeBuilder(source);
  await tree.file('etc/app.conf', 'port=8080\n', 0o640);
  await tree.file('data/big.bin', big);
  await tree.file('data/small/one.txt', 'one');
  await tree.file('data/small/two.txt', 'two');
  await tree.file(longName, 'long');
  await tree.symlink('data/latest', 'big.bin');
  await tree.hardlink('data/small/two-again.txt', 'data/small/two.txt');
  const repository = await localRepository(join(scratch.path, 'repo'));
  const { snapshot } = await runBackup(repository, { source, volume: 'ns/claim' });
  browser = await SnapshotBrowser.open(repository, snapshot.id);
});
afterAll(() => scratch.cleanup());

const pathsOf = async (prefix: string) => {
  const paths: string[] = [];
  for await (const entry of browser.entries(prefix)) paths.push(entry.path);
  return paths;
};

describe('browsing a snapshot without restoring it', () => {
  it('lists a subtree in walk order, and only it', async () => {
    expect(await pathsOf('data/small')).toEqual(['data/small', 'data/small/one.txt', 'data/small/two-again.txt', 'data/small/two.txt']);
    expect(await pathsOf('nothing/here')).toEqual([]);
    expect((await pathsOf('.')).length).toBe(12);
  });

  it('pages through a subtree with sizes and modes', async () => {
    const first = await browser.page('data', 0, 2);
    expect(first.entries.map((e) => e.path)).toEqual(['data', 'data/big.bin']);
    expect(first.entries[1]).toMatchObject({ type: 'file', size: big.length });
    expect(first.next).toBe(2);
    const second = await browser.page('data', 2, 10);
    expect(second.entries.map((e) => e.path)).toEqual(['data/latest', 'data/small', 'data/small/one.txt', 'data/small/two-again.txt', 'data/small/two.txt']);
    expect(second.next).toBeUndefined();
    const conf = await browser.entry('etc/app.conf');
    expect(conf).toMatchObject({ type: 'file', mode: 0o640, size: 10 });
  });

  it('reads one file whole, and refuses one larger than asked', async () => {
    const conf = (await browser.entry('etc/app.conf'))!;
    expect((await browser.readFile(conf, 1024)).toString()).toBe('port=8080\n');
    await expect(browser.readFile((await browser.entry('data/big.bin'))!, 1024)).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('streams selected paths as a tar that unpacks to exactly those files', async () => {
    const figures: ArchiveFigures = { entries: 0, bytes: 0 };
    const pieces: Buffer[] = [];
    for await (const piece of snapshotArchive(browser, ['data/big.bin', 'data/small/two-again.txt', 'deep'], figures)) pieces.push(piece);
    const archive = join(scratch.path, 'selected.tar');
    await writeFile(archive, Buffer.concat(pieces));
    const out = join(scratch.path, 'unpacked');
    await mkdir(out);
    await run('tar', ['-xf', archive, '-C', out]);
    // Buffers compared with equals(): a deep comparison of 3 MB takes seconds.
    expect((await readFile(join(out, 'data/big.bin'))).equals(big)).toBe(true);
    // Its first name was not selected: the link travels as a file of its own.
    expect(await readFile(join(out, 'data/small/two-again.txt'), 'utf8')).toBe('two');
    expect(await readFile(join(out, longName), 'utf8')).toBe('long');
    expect((await readdir(join(out, 'data'))).sort()).toEqual(['big.bin', 'small']);
    expect(await readdir(join(out, 'data/small'))).toEqual(['two-again.txt']);
    expect(figures).toEqual({ entries: 4, bytes: big.length + 3 + 4 });
  });
});
