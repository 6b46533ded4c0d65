import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../../lib/common/temporal/data-converter.js';

/** The control workflows' entry: every workflow the control worker runs. */
const WORKFLOWS_PATH = fileURLToPath(new URL('../../workflows/index.ts', import.meta.url));
const CHECKOUT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * A file holding the workflows bundled beforehand (the image's `/app/workflow-bundle.js`). Unset, the
 * worker bundles them from their sources at start, which takes webpack seconds to tens of seconds and
 * a writable directory: the image bundles once at build instead.
 */
export const WORKFLOW_BUNDLE_ENV = 'HAVEN_WORKFLOW_BUNDLE';

/**
 * The control workflows as one script, with the failure converter the worker's data converter names:
 * failures raised in workflow code are sealed by the bundle's own copy of it, so a bundle without it
 * would write workflow failures into history in clear. The image build, the worker and the tests all
 * bundle through here, so each runs the same code with the same converter. `appRoot` bundles another
 * copy of the sources (the image's /app, with its own node_modules) instead of this checkout.
 */
export async function bundleControlWorkflows(appRoot: string = CHECKOUT_ROOT): Promise<string> {
  const at = (path: string) => join(appRoot, relative(CHECKOUT_ROOT, path));
  const { code } = await bundleWorkflowCode({ workflowsPath: at(WORKFLOWS_PATH), failureConverterPath: at(FAILURE_CONVERTER_PATH), logger: new DefaultLogger('ERROR') });
  return code;
}

export class WorkflowBundleError extends Error {
  override name = 'WorkflowBundleError';
}

/** HAVEN_WORKFLOW_BUNDLE's file, checked at start so a wrong path is one line rather than a failed poll. */
export function prebuiltWorkflowBundle(env: NodeJS.ProcessEnv): { codePath: string } | undefined {
  const codePath = env[WORKFLOW_BUNDLE_ENV]?.trim();
  if (!codePath) return undefined;
  if (!existsSync(codePath)) throw new WorkflowBundleError(`${WORKFLOW_BUNDLE_ENV} "${codePath}" does not exist`);
  return { codePath };
}
