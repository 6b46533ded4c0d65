import { readFile, writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { inject } from 'vitest';
import { WORKFLOWS_PATH } from '../../services/worker/worker.js';

/**
 * The control workflows bundled once per test run (vitest's global setup), not once per file: webpack
 * takes seconds on these 2 cores and some 30 files start a control worker. Each file reads the same code,
 * so every worker runs exactly what the run was started with.
 */
export async function bundleWorkflowsOnce(): Promise<string> {
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('ERROR') });
  const path = join(await mkdtemp(join(tmpdir(), 'haven-workflows-')), 'bundle.js');
  await writeFile(path, code);
  return path;
}

/** The run's bundle, for `Worker.create({ workflowBundle })`; bundled here when no global setup ran. */
export async function sharedWorkflowBundle(): Promise<{ code: string }> {
  const path = inject('workflowBundlePath') ?? (await bundleWorkflowsOnce());
  return { code: await readFile(path, 'utf8') };
}

declare module 'vitest' {
  export interface ProvidedContext {
    workflowBundlePath?: string;
  }
}
