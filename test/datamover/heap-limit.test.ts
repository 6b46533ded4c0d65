import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { oldSpaceMb } from '../../lib/datamover/cli/heap-limit.js';

const HEAP_LIMIT = fileURLToPath(new URL('../../lib/datamover/cli/heap-limit.ts', import.meta.url));
const GiB = 1024 ** 3;

/** Runs rerunWithHeapLimit(1 GiB) in a fresh node: each process says whether it worked (and its heap limit) or ran itself again. */
function run(nodeArgs: string[], env: NodeJS.ProcessEnv = {}): string[] {
  const script = `
    const { rerunWithHeapLimit } = await import(${JSON.stringify(HEAP_LIMIT)});
    const status = rerunWithHeapLimit(${GiB});
    console.log(status === undefined ? 'worked with ' + (await import('node:v8')).getHeapStatistics().heap_size_limit : 'ran again');`;
  const { NODE_OPTIONS: _unused, ...rest } = process.env;
  return execFileSync(process.execPath, [...nodeArgs, '--import', 'tsx', '--input-type=module', '-e', script], { env: { ...rest, ...env }, encoding: 'utf8' }).trim().split('\n');
}

describe('the mover heap limit', () => {
  const flag = `--max-old-space-size=${oldSpaceMb(GiB)}`;

  it('a process started with the flag does the work itself, however V8 reports its heap', () => {
    expect(run([flag])).toEqual([expect.stringMatching(/^worked with/)]);
  });

  it('the flag given in NODE_OPTIONS, as the mover pod gives it, counts too', () => {
    expect(run([], { NODE_OPTIONS: flag })).toEqual([expect.stringMatching(/^worked with/)]);
  });

  it('without it, the command runs again once with the limit, and only that run works', () => {
    const lines = run(['--max-old-space-size=4096']);
    expect(lines).toEqual([expect.stringMatching(/^worked with/), 'ran again']);
    // The re-run's heap is the limited one (old space plus the young generation).
    expect(Number(lines[0]!.split(' ').at(-1))).toBeLessThan(oldSpaceMb(GiB) * 2 * 1024 * 1024);
  });
});
