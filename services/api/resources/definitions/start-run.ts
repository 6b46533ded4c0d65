import { eq } from 'drizzle-orm';
import { jobs } from '../../../../lib/db/schema/index.js';
import type { DefinitionRow } from '../../../../lib/db/schema/definitions.js';
import type { TenantScope } from '../../../../lib/db/tenant-scope.js';
import { prepareRun, type RunOptions } from '../../../../lib/run-start/run.js';
import type { ApiContext } from '../../context.js';

/**
 * `runNow` on create, in the create transaction: if the run cannot start, the definition is not saved either
 * (the client may retry with runNow false).
 */
export async function startRunIfAsked(scope: TenantScope, context: Pick<ApiContext, 'clock' | 'launcher'>, row: DefinitionRow, input: { runNow: boolean }, options: RunOptions = {}) {
  if (input.runNow) await startRun(scope, context, row, options);
}

/**
 * Resolves a definition into one run, records the job and asks the launcher to start it, all in the
 * caller's transaction: if the launcher refuses, no job row remains.
 */
export async function startRun(scope: TenantScope, context: Pick<ApiContext, 'clock' | 'launcher'>, row: DefinitionRow, options: RunOptions) {
  const { job, run } = await prepareRun(scope, context.clock, row, options);
  const started = await context.launcher.startRun(run);
  const [updated] = await scope.executor
    .update(jobs)
    .set({ workflowRunId: started.runId })
    .where(scope.owns(jobs, eq(jobs.id, job.id)))
    .returning();
  return updated ?? job;
}
