import { TerminatedFailure, TimeoutFailure, WorkflowFailedError, WorkflowNotFoundError, type WorkflowExecutionDescription } from '@temporalio/client';
import { and, asc, eq } from 'drizzle-orm';
import type { JobStatus } from '../../lib/common/enums.js';
import { jobs } from '../../lib/db/schema/index.js';
import type { ControlDeps } from './deps.js';

/**
 * How long a RUNNING job may have no workflow at all before it counts as orphaned: a replication opens
 * its phase's job just before starting the phase's workflow, so a young job without one is normal.
 */
export const DEFAULT_ORPHAN_GRACE_MS = 10 * 60_000;
/** RUNNING jobs looked at per pass, oldest first. */
export const ORPHAN_BATCH = 1_000;

export interface ReconciledJob {
  jobId: string;
  status: Exclude<JobStatus, 'RUNNING'>;
  message: string;
}

/** The message of the deepest cause: a terminated run's reason, a failed run's own error. */
function rootCause(error: unknown): string {
  let message = error instanceof Error ? error.message : String(error);
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    if (current.message) message = current.message;
  }
  return message;
}

/** How the closed workflow ended, read from its result (the client's codec decodes failure messages). */
async function closedEnd(deps: ControlDeps, workflowId: string, run: WorkflowExecutionDescription): Promise<Omit<ReconciledJob, 'jobId'>> {
  const prefix = `The run ended without recording its outcome: its workflow ${workflowId}`;
  try {
    await deps.temporal.client.workflow.getHandle(workflowId, run.runId).result();
    return { status: 'FAILED', message: `${prefix} completed before the job was written` };
  } catch (error) {
    const cause = error instanceof WorkflowFailedError ? error.cause : error;
    if (run.status.name === 'CANCELLED') return { status: 'CANCELLED', message: `${prefix} was cancelled before it could record the cancellation` };
    if (cause instanceof TerminatedFailure) return { status: 'FAILED', message: `${prefix} was terminated${cause.message ? ` (reason: ${cause.message})` : ''}` };
    if (cause instanceof TimeoutFailure || run.status.name === 'TIMED_OUT') return { status: 'FAILED', message: `${prefix} timed out` };
    return { status: 'FAILED', message: `${prefix} failed: ${rootCause(cause)}` };
  }
}

/**
 * Jobs left RUNNING by a workflow that can no longer end them (terminated from outside, timed out, failed
 * before it wrote the job, or gone from Temporal) get the end their workflow really had, with a message
 * saying why; without this the API would show them running forever and their leftovers would never be
 * swept. The update only applies to a job still RUNNING, so it never overwrites an end a run wrote.
 */
export function orphanedJobActivities(deps: ControlDeps) {
  return {
    async reconcileOrphanedJobs(input: { graceMs?: number } = {}): Promise<ReconciledJob[]> {
      const now = deps.clock();
      const grace = input.graceMs ?? DEFAULT_ORPHAN_GRACE_MS;
      const running = await deps.db
        .select({ id: jobs.id, orgId: jobs.orgId, workflowId: jobs.workflowId, startedAt: jobs.startedAt })
        .from(jobs)
        .where(eq(jobs.status, 'RUNNING'))
        .orderBy(asc(jobs.startedAt), asc(jobs.id))
        .limit(ORPHAN_BATCH);
      const reconciled: ReconciledJob[] = [];
      for (const job of running) {
        let end: Omit<ReconciledJob, 'jobId'>;
        try {
          const run = await deps.temporal.client.workflow.getHandle(job.workflowId).describe();
          if (run.status.name === 'RUNNING') continue;
          end = await closedEnd(deps, job.workflowId, run);
        } catch (error) {
          if (!(error instanceof WorkflowNotFoundError)) throw error;
          if (now.getTime() - job.startedAt.getTime() < grace) continue;
          end = { status: 'FAILED', message: `The run ended without recording its outcome: its workflow ${job.workflowId} no longer exists in Temporal` };
        }
        const rows = await deps.db
          .update(jobs)
          .set({ status: end.status, message: end.message, endedAt: now, errors: [{ message: end.message }] })
          .where(and(eq(jobs.orgId, job.orgId), eq(jobs.id, job.id), eq(jobs.status, 'RUNNING')))
          .returning({ id: jobs.id });
        if (rows.length > 0) reconciled.push({ jobId: job.id, ...end });
      }
      return reconciled;
    },
  };
}
