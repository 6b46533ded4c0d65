import { accessSync, constants, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { delimiter, join, relative } from 'node:path';
import { compress, decompress } from 'zstd-napi';
import { describe, expect, it } from 'vitest';
import { MOVER_COMMAND } from '../../activities/cluster/mover-pods/mover-pod-spec.js';
import { APP_PATHS } from '../../scripts/image/spec.js';

// scripts/runtime.sh fetches the Node named in .node-version and puts it first on PATH for every npm script;
// these checks fail when something runs the tests, or what they start, on another Node.
const repoRoot = join(import.meta.dirname, '..', '..');
const pinned = readFileSync(join(repoRoot, '.node-version'), 'utf8').trim().replace(/^v/, '');

function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir || '.', command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this directory.
    }
  }
  return undefined;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('the Node runtime', () => {
  it('is the pinned version, from the cache the scripts fill', () => {
    expect(process.version).toBe(`v${pinned}`);
    expect(Number(pinned.split('.')[0])).toBeGreaterThanOrEqual(24);
  });

  it('is the `node` that processes started by command name get, such as the emulated data-mover pods', () => {
    expect(MOVER_COMMAND[0]).toBe('node');
    const found = onPath('node');
    expect(found, 'node on PATH').toBeDefined();
    expect(realpathSync(found ?? '')).toBe(realpathSync(process.execPath));
  });

  it('loads the native zstd addon built for it', () => {
    const data = Buffer.from('haven '.repeat(1000));
    expect(decompress(compress(data)).equals(data)).toBe(true);
  });

  it('is the one package.json requires', () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { engines: { node: string } };
    expect(pkg.engines.node).toBe(`>=${pinned.split('.')[0]}`);
  });

  it('container image holds every folder the processes import from', () => {
    const copied = new Set<string>(APP_PATHS);
    const needed = new Set<string>();
    for (const top of ['services', 'lib', 'workflows', 'activities']) {
      for (const file of sourceFiles(join(repoRoot, top))) {
        for (const [, spec] of readFileSync(file, 'utf8').matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
          const target = relative(repoRoot, join(file, '..', spec ?? '')).split('/')[0] ?? '';
          needed.add(target);
        }
      }
    }
    expect([...needed].filter((dir) => !copied.has(dir))).toEqual([]);
  });
});
