import { and, eq } from 'drizzle-orm';
import type { JobStatus } from '../../lib/common/enums.js';
import { jobs, type StoredJobError } from '../../lib/db/schema/index.js';
import type { ControlDeps, JobRef } from './deps.js';
import { jobNotVisible } from './job-failures.js';
import type { EndedJob } from './job-metrics.js';
import { dispatchDeliveries } from './notifications/deliveries.js';
import { enqueueJobNotifications, pendingDeliveriesOf } from './notifications/enqueue.js';

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

    /**
     * Idempotent: a retried call writes the same end. Only the call that moves the job out of RUNNING
     * counts it in the metrics and queues its notifications, so a retry never counts or notifies twice.
     */
    async finishJob(end: JobEnd): Promise<void> {
      const endedAt = deps.clock();
      const ended = await deps.db.transaction(async (tx) => {
        const [before] = await tx
          .select({ status: jobs.status })
          .from(jobs)
          .where(and(eq(jobs.orgId, end.orgId), eq(jobs.id, end.jobId)))
          .for('update');
        if (!before) throw jobNotVisible(end.jobId);
        const [row] = await tx
          .update(jobs)
          .set({
            status: end.status,
            message: end.message,
            skipReason: end.skipReason ?? null,
            endedAt,
            ...(end.bytesTransferred === undefined ? {} : { bytesTransferred: end.bytesTransferred }),
            ...(end.filesTransferred === undefined ? {} : { filesTransferred: end.filesTransferred }),
            ...(end.errors === undefined ? {} : { errors: end.errors }),
          })
          .where(and(eq(jobs.orgId, end.orgId), eq(jobs.id, end.jobId)))
          .returning();
        if (before.status !== 'RUNNING' || !row) return undefined;
        const job: EndedJob = {
          orgId: row.orgId,
          jobId: row.id,
          kind: row.kind,
          status: end.status,
          definitionId: row.definitionId,
          definitionName: row.definitionName,
          startedAt: row.startedAt,
          endedAt,
          bytesTransferred: row.bytesTransferred,
        };
        if (deps.notifications) await enqueueJobNotifications(tx, job, { message: end.message, skipReason: end.skipReason ?? null });
        return job;
      });
      if (ended) deps.jobMetrics?.observe(ended);
      // Also on a retried call: a previous one may have committed the end and failed to start its deliveries.
      if (deps.notifications) await dispatchDeliveries(deps, deps.notifications, end.orgId, await pendingDeliveriesOf(deps.db, end.orgId, end.jobId));
    },
  };
}
