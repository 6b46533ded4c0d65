import { createHash } from 'node:crypto';
import { cpSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cachedBuild } from '../image/cache.js';
import { repoRoot } from '../stack/paths.js';

/** What the console's build reads: its sources, the client it calls the API with, and the locked dependencies. */
const CONSOLE_INPUTS = ['services/console', 'lib/client', 'package-lock.json'];
/** Where `npm run build:console` leaves the build, and where the API looks for it by default (HAVEN_CONSOLE_DIR). */
export const CONSOLE_DIST = join(repoRoot, 'dist', 'console');

function files(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).sort().flatMap((name) => files(join(path, name)));
}

/** A hash of every input file, by path and content: an unchanged console is never built twice. */
export function consoleInputsHash(): string {
  const hash = createHash('sha256');
  for (const file of CONSOLE_INPUTS.flatMap((input) => files(join(repoRoot, input)))) {
    hash.update(relative(repoRoot, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * The console's static build (Vite, React), cached by the hash of its inputs under the build cache:
 * returns the folder holding index.html and its assets, served by the API at /console/.
 */
export async function buildConsole(): Promise<string> {
  return cachedBuild(`console-${consoleInputsHash()}`, async (outDir) => {
    const { build } = await import('vite');
    const react = (await import('@vitejs/plugin-react')).default;
    await build({
      root: join(repoRoot, 'services/console'),
      base: '/console/',
      configFile: false,
      logLevel: 'warn',
      plugins: [react()],
      build: { outDir, emptyOutDir: false },
    });
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const built = await buildConsole();
  rmSync(CONSOLE_DIST, { recursive: true, force: true });
  cpSync(built, CONSOLE_DIST, { recursive: true });
  process.stdout.write(`console built into ${CONSOLE_DIST}\n`);
}
