import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleDataMover } from '../../scripts/image/mover-bundle.js';
import { scratchDir } from './helpers/repository-fixture.js';

/** Every file a bundled module loads, itself included, following its static imports. */
function loads(dir: string, file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const code = readFileSync(join(dir, file), 'utf8');
  for (const [, imported] of code.matchAll(/(?:from|import) "\.\/([^"]+)"/g)) loads(dir, imported!, seen);
  return seen;
}

/**
 * The sealing and restore threads start in every backup and restore that writes data: each loads its
 * modules in an isolate of its own. The schemas (typebox, a quarter of a megabyte bundled, built when loaded)
 * are none of their business, and loading them cost each thread as much as its first chunks.
 */
describe('the mover threads as bundled', () => {
  let scratch: Awaited<ReturnType<typeof scratchDir>>;
  let dir: string;
  beforeAll(async () => {
    scratch = await scratchDir('worker-bundle');
    dir = join(scratch.path, 'bundle');
    await bundleDataMover({ name: 'cli', source: 'lib/datamover/cli.ts' }, dir);
  }, 120_000);
  afterAll(() => scratch.cleanup());

  for (const thread of ['seal-worker.js', 'restore-writer-worker.js', 'walk-worker.js']) {
    it(`${thread} does not load the schemas`, () => {
      const files = [...loads(dir, thread)];
      expect(files.length).toBeGreaterThan(1);
      const withSchemas = files.filter((file) => readFileSync(join(dir, file), 'utf8').includes('node_modules/@sinclair/typebox/'));
      expect(withSchemas).toEqual([]);
    });
  }

  it('the CLI itself does (what it decodes is checked against them)', () => {
    const files = [...loads(dir, 'cli.js')];
    expect(files.some((file) => readFileSync(join(dir, file), 'utf8').includes('node_modules/@sinclair/typebox/'))).toBe(true);
  });
});
