import { readFile, writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { bundleControlWorkflows } from '../../services/worker/workflow-bundle.js';

/**
 * The control workflows bundled once per test run (vitest's global setup), not once per file: webpack
 * takes seconds on these 2 cores and some 30 files start a control worker. Each file reads the same code,
 * so every worker runs exactly what the run was started with. It is the worker's own bundle (its failure
 * converter included), as the image carries it.
 */
export async function bundleWorkflowsOnce(): Promise<string> {
  const code = await bundleControlWorkflows();
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
