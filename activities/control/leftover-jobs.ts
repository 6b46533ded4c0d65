import { and, asc, eq, inArray, ne } from 'drizzle-orm';
import { clusters, jobs, recoveryPoints } from '../../lib/db/schema/index.js';
import { keptSnapshotsOf } from '../../lib/domain/recovery-point-contents.js';
import type { SnapshotRef } from '../../proto/agent/index.js';
import type { ControlDeps } from './deps.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A cluster whose leftovers a sweep pass looks for: its organization names the sweep's workflow id. */
export interface SweepTarget {
  orgId: string;
  clusterId: string;
}

export interface EndedJobs {
  /** The job ids asked about that are this cluster's own jobs and no longer RUNNING. */
  ended: string[];
  /** Snapshots of those jobs that a recovery point still holds: never swept. */
  keep: SnapshotRef[];
}

/** What the leftover sweep asks of the control plane; the cluster's answers are only ever checked against these records. */
export function leftoverJobActivities(deps: ControlDeps) {
  return {
    async listSweepTargets(): Promise<SweepTarget[]> {
      return deps.db.select({ orgId: clusters.orgId, clusterId: clusters.id }).from(clusters).orderBy(asc(clusters.id));
    },

    /**
     * Which of the job ids a cluster reported are its own ended jobs. Only jobs recorded for this very
     * cluster (and its organization) count: an id of another cluster's or another tenant's job is
     * answered exactly like an id that does not exist, so a cluster learns nothing about jobs not its own
     * and its labels can never make Haven delete what another run still uses.
     */
    async endedJobsAmong(input: { clusterId: string; jobIds: string[] }): Promise<EndedJobs> {
      const asked = [...new Set(input.jobIds.filter((id) => UUID.test(id)))];
      const [cluster] = await deps.db.select({ orgId: clusters.orgId }).from(clusters).where(eq(clusters.id, input.clusterId));
      if (!cluster || asked.length === 0) return { ended: [], keep: [] };
      const rows = await deps.db
        .select({ id: jobs.id })
        .from(jobs)
        .where(and(eq(jobs.orgId, cluster.orgId), eq(jobs.clusterId, input.clusterId), inArray(jobs.id, asked), ne(jobs.status, 'RUNNING')));
      const ended = rows.map((row) => row.id).sort();
      if (ended.length === 0) return { ended, keep: [] };
      // A run records its point before it ends its job, so an ended job's kept snapshots are all here.
      const points = await deps.db
        .select({ contents: recoveryPoints.contents })
        .from(recoveryPoints)
        .where(and(eq(recoveryPoints.orgId, cluster.orgId), eq(recoveryPoints.clusterId, input.clusterId), inArray(recoveryPoints.jobId, ended)));
      const keep = points.flatMap((point) => keptSnapshotsOf(point.contents).map(({ namespace, snapshotName }) => ({ namespace, snapshotName })));
      return { ended, keep };
    },
  };
}
