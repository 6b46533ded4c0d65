import { build } from 'esbuild';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/**
 * Bundles the data mover's CLI and its sealing worker into plain JavaScript under `.run/datamover-cli/`
 * (gitignored), so a run does not pay tsx's TypeScript compilation at start-up (about 2 CPU seconds per
 * run on the main thread plus one tsx registration per sealing worker). This is how the data-mover image
 * should run it too.
 *
 * The worker entries (`seal-worker.js`, `restore-writer-worker.js`, `walk-worker.js`) land next to `cli.js`, which is where
 * `startWorker` looks for them when not run as `.ts`.
 *
 *   tsx bench/datamover/build-cli.ts   → prints the path of cli.js
 */
const ROOT = new URL('../../', import.meta.url);
export const BUILT_CLI_DIR = fileURLToPath(new URL('.run/datamover-cli/', ROOT));

export async function buildCli(outdir = BUILT_CLI_DIR): Promise<string> {
  // Chunk names carry content hashes: without this, every build would leave the previous chunks behind.
  await rm(outdir, { recursive: true, force: true });
  await build({
    entryPoints: {
      cli: fileURLToPath(new URL('lib/datamover/cli.ts', ROOT)),
      'seal-worker': fileURLToPath(new URL('lib/datamover/backup/seal-worker.ts', ROOT)),
      'restore-writer-worker': fileURLToPath(new URL('lib/datamover/restore/restore-writer-worker.ts', ROOT)),
      'walk-worker': fileURLToPath(new URL('lib/datamover/backup/walk-worker.ts', ROOT)),
    },
    outdir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    // The native addon and the S3 SDK resolve from node_modules; TypeBox is bundled (as ~200 separate
    // modules it costs a tenth of a second to load). Splitting keeps the S3 backend, imported dynamically,
    // in its own chunk: filesystem runs never load the SDK.
    external: ['zstd-napi', '@aws-sdk/*', '@smithy/*'],
    splitting: true,
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  return `${outdir}cli.js`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(await buildCli());
}
