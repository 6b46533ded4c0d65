import { fileURLToPath } from 'node:url';
import { bundleDataMover } from '../../scripts/image/mover-bundle.js';

/**
 * Bundles the data mover's CLI and its sealing worker into plain JavaScript under `.run/datamover-cli/`
 * (gitignored), so a run does not pay tsx's TypeScript compilation at start-up (about 2 CPU seconds per
 * run on the main thread plus one tsx registration per sealing worker), with the same bundling as the
 * image's data mover (scripts/image/mover-bundle.ts).
 *
 * The worker entries (`seal-worker.js`, `restore-writer-worker.js`, `walk-worker.js`) land next to `cli.js`, which is where
 * `startWorker` looks for them when not run as `.ts`.
 *
 *   tsx bench/datamover/build-cli.ts   → prints the path of cli.js
 */
const ROOT = new URL('../../', import.meta.url);
export const BUILT_CLI_DIR = fileURLToPath(new URL('.run/datamover-cli/', ROOT));

export async function buildCli(outdir = BUILT_CLI_DIR): Promise<string> {
  return bundleDataMover({ name: 'cli', source: 'lib/datamover/cli.ts' }, outdir);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(await buildCli());
}
