import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { TestProject } from 'vitest/node';
import { currentMoverBundle } from '../../scripts/image/mover-bundle.js';
import { bundleWorkflowsOnce } from './workflow-bundle.js';

/** Work every file would otherwise repeat, done once before the files start. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const bundlePath = await bundleWorkflowsOnce();
  // Before the files start, so their node emulators find the mover bundle current instead of racing to build it.
  await currentMoverBundle();
  project.provide('workflowBundlePath', bundlePath);
  return () => rm(dirname(bundlePath), { recursive: true, force: true });
}
