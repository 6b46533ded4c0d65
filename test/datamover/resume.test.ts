import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKS_PREFIX } from '../../lib/datamover/repository/layout.js';
import { readPackTrailer } from '../../lib/datamover/repository/pack-trailer.js';
import { Repository } from '../../lib/datamover/repository/repository.js';
import { LocalBackend } from '../../lib/datamover/storage/local-backend.js';
import { CLI_SECRET, killHard, runCli, startCli } from './helpers/cli-runner.js';
import { scratchDir } from './helpers/repository-fixture.js';
import { comparable, digestTree } from './helpers/tree-digest.js';
import { textBytes, TreeBuilder } from './helpers/tree-builder.js';

const MiB = 1024 * 1024;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every chunk id with the packs holding it. */
async function chunkPlacements(repository: Repository): Promise<Map<string, string[]>> {
  const placements = new Map<string, string[]>();
  for await (const object of repository.backend.list(PACKS_PREFIX)) {
    for (const [id] of (await readPackTrailer(repository, object.key)).chunks) placements.set(id, [...(placements.get(id) ?? []), object.key]);
  }
  return placements;
}

describe('resume after the mover is killed', () => {
  let scratch: Awaited<ReturnType<typeof scratchDir>>;
  let source: string;
  let repositoryRoot: string;

  beforeAll(async () => {
    scratch = await scratchDir('resume');
    source = join(scratch.path, 'source');
    repositoryRoot = join(scratch.path, 'repo');
    const tree = new TreeBuilder(source);
    for (let i = 0; i < 6; i++) await tree.file(`big/file-${i}.bin`, randomBytes(12 * MiB));
    await tree.file('big/text.log', textBytes(10 * MiB, 'resume'));
    for (let i = 0; i < 3000; i++) await tree.file(`small/d${i % 30}/f${i}`, randomBytes(200 + (i % 5000)));
    await tree.hardlink('small/d0/hard-link', 'big/file-3.bin');
    await runCli(['init', '--repository', repositoryRoot, '--kdf-cost', '1024']);
  }, 300_000);
  afterAll(() => scratch.cleanup());

  it('killed at random points, resumes without uploading any chunk twice and yields the uninterrupted manifest', async () => {
    const checkpointFile = join(scratch.path, 'checkpoint.json');
    // The throttle keeps each run long enough to be killed mid-tree even on a loaded machine: with files cut
    // on the sealing workers, a run at 24 MB/s could finish between two polls of the checkpoint file.
    const args = [
      'backup', '--repository', repositoryRoot, '--source', source, '--volume', 'pv', '--parent', 'none',
      '--checkpoint-file', checkpointFile, '--checkpoint-every-mb', '4', '--concurrent-files', '4', '--memory-limit-mb', '512', '--max-mb-per-second', '12',
    ];
    const readCursor = async () => (existsSync(checkpointFile) ? (JSON.parse(await readFile(checkpointFile, 'utf8')).cursor as string | null) : undefined);
    /** Kill plans: after a fresh mid-tree checkpoint plus a random delay, or at a random time from start. */
    const plans: ('after-checkpoint' | 'random')[] = ['after-checkpoint', 'random', 'after-checkpoint', 'random'];
    let kills = 0;
    const resumedFromCursors: (string | null | undefined)[] = [];
    let final: Record<string, unknown> | undefined;
    for (let attempt = 0; attempt < 12 && !final; attempt++) {
      const startCursor = await readCursor();
      if (attempt > 0) resumedFromCursors.push(startCursor);
      const run = startCli(args);
      let finished = false;
      const plan = plans[attempt];
      const killer = (async () => {
        if (plan === 'random') {
          await sleep(500 + Math.random() * 3000);
        } else if (plan === 'after-checkpoint') {
          for (;;) {
            const cursor = await readCursor();
            if (finished || (cursor && cursor !== startCursor)) break;
            await sleep(50);
          }
          await sleep(Math.random() * 400);
        } else {
          return;
        }
        if (!finished) killHard(run);
      })();
      const result = await run.done;
      finished = true;
      await killer;
      if (result.signal === 'SIGKILL') kills++;
      else if (result.code === 0) final = result.output;
      else throw new Error(`backup failed: ${JSON.stringify(result.output)} ${result.stderr}`);
    }
    expect(kills).toBeGreaterThan(0);
    expect(final!.resumed).toBe(true);
    expect(resumedFromCursors.filter((cursor) => typeof cursor === 'string').length).toBeGreaterThan(0);
    const resumed = final!.snapshot as { id: string; manifest: string[]; stats: { files: number; bytes: number } };

    const repository = await Repository.open(new LocalBackend(repositoryRoot), CLI_SECRET);
    const duplicates = [...(await chunkPlacements(repository))].filter(([, packs]) => packs.length > 1);
    expect(duplicates).toEqual([]);

    const uninterrupted = await runCli(['backup', '--repository', repositoryRoot, '--source', source, '--volume', 'pv', '--parent', 'none']);
    const reference = uninterrupted.snapshot as { manifest: string[]; stats: { newChunks: number; files: number; bytes: number } };
    expect(resumed.manifest).toEqual(reference.manifest);
    // Files walked past a checkpoint's cursor are walked again after the kill and must count once.
    expect({ files: resumed.stats.files, bytes: resumed.stats.bytes }).toEqual({ files: reference.stats.files, bytes: reference.stats.bytes });
    expect(reference.stats.newChunks).toBe(0);

    const target = join(scratch.path, 'restored');
    await runCli(['restore', '--repository', repositoryRoot, '--snapshot', resumed.id, '--target', target]);
    expect(comparable(await digestTree(target))).toEqual(comparable(await digestTree(source)));
  }, 600_000);
});
