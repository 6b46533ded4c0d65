import { and, eq } from 'drizzle-orm';
import type { JobStatus } from '../../lib/common/enums.js';
import { jobs, type StoredJobError } from '../../lib/db/schema/index.js';
import type { ControlDeps, JobRef } from './deps.js';
import { jobNotVisible } from './job-failures.js';

export interface JobStepUpdate extends JobRef {
  /** Shown as the job's message while it runs. */
  step: string;
}

export interface JobEnd extends JobRef {
  status: Exclude<JobStatus, 'RUNNING'>;
  message: string;
  skipReason?: string;
  bytesTransferred?: number;
  filesTransferred?: number;
  errors?: StoredJobError[];
}

/** The job record is the API's view of a run; workflows write it only through these. */
export function jobActivities(deps: ControlDeps) {
  async function update(ref: JobRef, values: Partial<typeof jobs.$inferInsert>): Promise<void> {
    const rows = await deps.db
      .update(jobs)
      .set(values)
      .where(and(eq(jobs.orgId, ref.orgId), eq(jobs.id, ref.jobId)))
      .returning({ id: jobs.id });
    if (rows.length === 0) throw jobNotVisible(ref.jobId);
  }

  return {
    async updateJobStep(change: JobStepUpdate): Promise<void> {
      await update(change, { message: change.step });
    },

    /** Idempotent: a retried call writes the same end. */
    async finishJob(end: JobEnd): Promise<void> {
      await update(end, {
        status: end.status,
        message: end.message,
        skipReason: end.skipReason ?? null,
        endedAt: deps.clock(),
        ...(end.bytesTransferred === undefined ? {} : { bytesTransferred: end.bytesTransferred }),
        ...(end.filesTransferred === undefined ? {} : { filesTransferred: end.filesTransferred }),
        ...(end.errors === undefined ? {} : { errors: end.errors }),
      });
    },
  };
}
