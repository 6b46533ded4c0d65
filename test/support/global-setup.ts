import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { TestProject } from 'vitest/node';
import { bundleWorkflowsOnce } from './workflow-bundle.js';

/** Work every file would otherwise repeat, done once before the files start. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const bundlePath = await bundleWorkflowsOnce();
  project.provide('workflowBundlePath', bundlePath);
  return () => rm(dirname(bundlePath), { recursive: true, force: true });
}
