import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli-runner.js';
import { scratchDir } from './helpers/repository-fixture.js';
import { TreeBuilder } from './helpers/tree-builder.js';

const LIMIT_MB = 512;

describe('memory limit', () => {
  let scratch: Awaited<ReturnType<typeof scratchDir>>;
  let source: string;
  let repository: string;

  beforeAll(async () => {
    scratch = await scratchDir('memory');
    source = join(scratch.path, 'source');
    repository = join(scratch.path, 'repo');
    const tree = new TreeBuilder(source);
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 20_000; i++) {
      writes.push(tree.file(`dir${i % 200}/sub${i % 7}/file-with-a-longish-name-${i}.dat`, randomBytes(100 + (i % 2000))));
      if (writes.length === 64) await Promise.all(writes.splice(0));
    }
    await Promise.all(writes);
    await tree.file('large/one.bin', randomBytes(96 * 1024 * 1024));
    await runCli(['init', '--repository', repository, '--kdf-cost', '1024']);
  }, 300_000);
  afterAll(() => scratch.cleanup());

  it(`backs up and restores 20k files plus a large file with peak RSS under ${LIMIT_MB} MB`, async () => {
    const common = ['--repository', repository, '--memory-limit-mb', String(LIMIT_MB)];
    const backup = await runCli(['backup', ...common, '--source', source, '--volume', 'many-files']);
    const snapshot = backup.snapshot as { id: string; stats: { files: number } };
    expect(snapshot.stats.files).toBe(20_001);
    expect(backup.peakRssMb).toBeLessThan(LIMIT_MB);

    const restore = await runCli(['restore', ...common, '--snapshot', snapshot.id, '--target', join(scratch.path, 'out')]);
    expect((restore.restored as { files: number }).files).toBe(20_001);
    expect(restore.peakRssMb).toBeLessThan(LIMIT_MB);

    const verify = await runCli(['verify', ...common]);
    expect(verify.ok).toBe(true);
    expect(verify.peakRssMb).toBeLessThan(LIMIT_MB);
  }, 300_000);
});
