import { and, eq } from 'drizzle-orm';
import type { JobStatus } from '../../lib/common/enums.js';
import { jobs, type StoredJobError } from '../../lib/db/schema/index.js';
import type { ControlDeps, JobRef } from './deps.js';
import { jobNotVisible } from './job-failures.js';

/** The two runs a replication is made of; each is a child workflow with a job of its own kind. */
export type ReplicationPhase = 'BACKUP' | 'RESTORE';

export interface PhaseJobStart extends JobRef {
  phase: ReplicationPhase;
  /** The child workflow's id: a retried call finds the job the first one recorded. */
  workflowId: string;
  /** The cluster the phase works on: the source for the backup, the destination for the restore. */
  clusterId: string;
  /** What the phase is part of, for its job's name: a replication (default) or a restore drill. */
  partOf?: 'replication' | 'drill';
}

export interface PhaseJobEnd {
  status: JobStatus;
  message: string;
  errors: StoredJobError[];
  bytesTransferred: number;
  filesTransferred: number;
}

/**
 * The backup and restore a replication runs (and the restore a drill runs) are jobs too (under the replication's definition), so
 * each phase's figures, PVs and errors read exactly as those of a plain backup or restore, and the
 * replication's own job sums them up. They are written by the very same workflows.
 */
export function replicationPhaseActivities(deps: ControlDeps) {
  return {
    async openPhaseJob(start: PhaseJobStart): Promise<{ jobId: string }> {
      const [existing] = await deps.db
        .select({ id: jobs.id })
        .from(jobs)
        .where(and(eq(jobs.orgId, start.orgId), eq(jobs.workflowId, start.workflowId)));
      if (existing) return { jobId: existing.id };
      const [parent] = await deps.db
        .select()
        .from(jobs)
        .where(and(eq(jobs.orgId, start.orgId), eq(jobs.id, start.jobId)));
      if (!parent) throw jobNotVisible(start.jobId);
      const [row] = await deps.db
        .insert(jobs)
        .values({
          orgId: start.orgId,
          kind: start.phase,
          definitionId: parent.definitionId,
          definitionName: `${parent.definitionName} (${start.partOf ?? 'replication'} ${start.phase === 'BACKUP' ? 'backup' : 'restore'})`,
          clusterId: start.clusterId,
          status: 'RUNNING',
          startedAt: deps.clock(),
          workflowId: start.workflowId,
        })
        .returning({ id: jobs.id });
      return { jobId: row!.id };
    },

    /** How a phase's job ended, as its workflow wrote it. */
    async readPhaseJob(ref: JobRef): Promise<PhaseJobEnd> {
      const [row] = await deps.db
        .select({ status: jobs.status, message: jobs.message, errors: jobs.errors, bytesTransferred: jobs.bytesTransferred, filesTransferred: jobs.filesTransferred })
        .from(jobs)
        .where(and(eq(jobs.orgId, ref.orgId), eq(jobs.id, ref.jobId)));
      if (!row) throw jobNotVisible(ref.jobId);
      return row;
    },
  };
}
