import { createHash } from 'node:crypto';
import { cpSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cachedBuild } from '../image/cache.js';
import { repoRoot } from '../stack/paths.js';

/** cachedBuild's marker of a finished build: not part of what is served. */
const COMPLETE_MARKER = '.complete';
/** What the console's build reads: its sources, the client it calls the API with, and the locked dependencies. */
const CONSOLE_INPUTS = ['services/console', 'lib/client', 'package-lock.json'];
/** Where `npm run build:console` leaves the build, and where the API looks for it by default (HAVEN_CONSOLE_DIR). */
export const CONSOLE_DIST = join(repoRoot, 'dist', 'console');

function files(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).sort().flatMap((name) => files(join(path, name)));
}

/** A hash of every input file, by path and content: an unchanged console is never built twice. */
export function consoleInputsHash(root = repoRoot): string {
  const hash = createHash('sha256');
  for (const file of CONSOLE_INPUTS.flatMap((input) => files(join(root, input)))) {
    hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * The console's static build (Vite, React), cached by the hash of its inputs under the build cache:
 * returns the folder holding index.html and its assets, served by the API at /console/.
 */
export async function buildConsole(root = repoRoot): Promise<string> {
  return cachedBuild(`console-${consoleInputsHash(root)}`, async (outDir) => {
    const { build } = await import('vite');
    const react = (await import('@vitejs/plugin-react')).default;
    await build({
      root: join(root, 'services/console'),
      base: '/console/',
      configFile: false,
      logLevel: 'warn',
      plugins: [react()],
      build: { outDir, emptyOutDir: false },
    });
  });
}

/** A fresh copy of a build (without the cache's completion marker) at `destination`. */
export function copyConsoleBuild(built: string, destination: string): void {
  rmSync(destination, { recursive: true, force: true });
  cpSync(built, destination, { recursive: true, filter: (source) => basename(source) !== COMPLETE_MARKER });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const built = await buildConsole();
  copyConsoleBuild(built, CONSOLE_DIST);
  process.stdout.write(`console built into ${CONSOLE_DIST}\n`);
}
