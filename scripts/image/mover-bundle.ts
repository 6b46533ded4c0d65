import { build, type Metafile } from 'esbuild';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MOVER_BUNDLE_DIR, MOVER_BUNDLE_ENTRY } from '../../lib/common/haven-image.js';

const CHECKOUT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The data mover's worker threads. `startWorker` (lib/datamover/controls/start-worker.ts) looks for
 * `<name>.js` beside the module that starts them when it does not run as TypeScript, so each lands next
 * to the bundle's entry.
 */
export const DATAMOVER_THREAD_ENTRIES: Readonly<Record<string, string>> = {
  'seal-worker': 'lib/datamover/backup/seal-worker.ts',
  'restore-writer-worker': 'lib/datamover/restore/restore-writer-worker.ts',
  'walk-worker': 'lib/datamover/backup/walk-worker.ts',
};

/**
 * Loaded from node_modules, not bundled: the native zstd addon; the S3 SDK, which only S3 repositories load
 * (its own chunk); Temporal, whose activity context must be the worker's own module instance. The rest
 * (TypeBox: some 200 modules, a tenth of a second to load one by one) is bundled.
 */
const EXTERNAL = ['zstd-napi', '@aws-sdk/*', '@smithy/*', '@temporalio/*'];

/** Written beside the bundle: the sources it was built from, with their sizes and times, to tell it is current. */
const STAMP = 'inputs.json';
type Stamp = Record<string, { size: number; mtimeMs: number }>;

/**
 * Bundles one data-mover entry (`name` ← `source`, relative to `appRoot`) and the worker threads into plain
 * JavaScript in `outdir`. Started through tsx, a mover pays TypeScript compilation at every start (about
 * a CPU second on the main thread, and tsx again in each worker thread); bundled it starts in a third of that.
 *
 * Each file is written under a temporary name and renamed, entries last, so a process starting meanwhile
 * (another test file's mover) loads either the previous build or this one, never half a file. Chunk
 * names carry content hashes; chunks no build has written for an hour are removed.
 */
export async function bundleDataMover(entry: { name: string; source: string }, outdir: string, appRoot = CHECKOUT_ROOT): Promise<string> {
  const entryPoints = Object.fromEntries(Object.entries({ [entry.name]: entry.source, ...DATAMOVER_THREAD_ENTRIES }).map(([name, source]) => [name, join(appRoot, source)]));
  const result = await build({
    entryPoints,
    absWorkingDir: appRoot,
    outdir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    external: EXTERNAL,
    splitting: true,
    sourcemap: 'linked',
    logLevel: 'warning',
    metafile: true,
    write: false,
  });
  await mkdir(outdir, { recursive: true, mode: 0o755 });
  const entries = new Set(Object.keys(entryPoints).flatMap((name) => [`${name}.js`, `${name}.js.map`]));
  const files = [...result.outputFiles].sort((a, b) => Number(entries.has(basename(a.path))) - Number(entries.has(basename(b.path))));
  for (const file of files) await writeAtomically(file.path, file.contents);
  await writeAtomically(join(outdir, STAMP), JSON.stringify(await stampOf(result.metafile, appRoot)));
  await removeStaleChunks(outdir, new Set(files.map((file) => basename(file.path))));
  return join(outdir, `${entry.name}.js`);
}

/** The mover pods' command (`node dist/mover/main.js`) built under `appRoot`: the image's /app, or this checkout. */
export function bundleMover(appRoot = CHECKOUT_ROOT): Promise<string> {
  return bundleDataMover({ name: basename(MOVER_BUNDLE_ENTRY, '.js'), source: 'services/mover/main.ts' }, join(appRoot, MOVER_BUNDLE_DIR), appRoot);
}

/**
 * The checkout's mover bundle, rebuilt only when a source it was built from changed (a few milliseconds of
 * stat calls otherwise): the node emulator runs it as the image's mover from this checkout.
 */
export async function currentMoverBundle(appRoot = CHECKOUT_ROOT): Promise<string> {
  const outdir = join(appRoot, MOVER_BUNDLE_DIR);
  const stamp = await readFile(join(outdir, STAMP), 'utf8').then((text) => JSON.parse(text) as Stamp, () => undefined);
  if (stamp && (await unchanged(stamp, appRoot))) return join(appRoot, MOVER_BUNDLE_ENTRY);
  return bundleMover(appRoot);
}

async function stampOf(metafile: Metafile, cwd: string): Promise<Stamp> {
  const stamp: Stamp = {};
  for (const input of Object.keys(metafile.inputs)) {
    const info = await stat(join(cwd, input));
    stamp[input] = { size: info.size, mtimeMs: info.mtimeMs };
  }
  return stamp;
}

async function unchanged(stamp: Stamp, cwd: string): Promise<boolean> {
  for (const [input, was] of Object.entries(stamp)) {
    const info = await stat(join(cwd, input)).catch(() => undefined);
    if (!info || info.size !== was.size || info.mtimeMs !== was.mtimeMs) return false;
  }
  return Object.keys(stamp).length > 0;
}

async function writeAtomically(path: string, contents: Uint8Array | string): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  await writeFile(temporary, contents, { mode: 0o644 });
  await rename(temporary, path);
}

const STALE_CHUNK_MS = 60 * 60_000;

async function removeStaleChunks(outdir: string, written: Set<string>): Promise<void> {
  for (const name of await readdir(outdir)) {
    if (written.has(name) || name === STAMP) continue;
    const info = await stat(join(outdir, name)).catch(() => undefined);
    if (info && Date.now() - info.mtimeMs > STALE_CHUNK_MS) await rm(join(outdir, name), { force: true });
  }
}
