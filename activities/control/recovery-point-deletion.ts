import { and, desc, eq, ne } from 'drizzle-orm';
import type { DeleteVolumeSnapshotRequest } from '../../proto/agent/index.js';
import { clusters, jobs, recoveryPoints } from '../../lib/db/schema/index.js';
import { deletionRetryDelayMs, type DeletionCause, type DeletionScope } from '../../lib/domain/runs/recovery-point-deletion.js';
import type { ControlDeps, JobRef } from './deps.js';
import type { KeptSnapshot } from '../../lib/domain/kept-snapshot.js';
import { keptSnapshotsOf, repositorySnapshotIds } from '../../lib/domain/recovery-point-contents.js';
import type { RecordedContents, RecordedVolume } from './recovery-points.js';
import { skipCheckActivities } from './skip-checks.js';

import type { StoredRdsSnapshot } from '../../lib/domain/rds/snapshot.js';
export interface DeletionStart {
  orgId: string;
  recoveryPointId: string;
  scope: DeletionScope;
  cause: DeletionCause;
  workflowId: string;
  runId: string;
}

/** What one deletion removes, read from the point's row once, when the deletion starts. */
export type DeletionPlan =
  | { status: 'GONE' }
  | { status: 'LOCKED'; job: JobRef; reason: string }
  | {
      status: 'DELETE';
      job: JobRef;
      /** Null when the cluster was removed from Haven. */
      clusterId: string | null;
      clusterName: string;
      /** Null for an awsrds point, whose data is `rdsSnapshot`. */
      storageTargetId: string | null;
      /** awsrds: the RDS snapshot AWS holds, deleted through the cloud account (SafeLock does not apply to it). */
      rdsSnapshot?: StoredRdsSnapshot;
      /** The kept CSI snapshots, deleted through the agent of the cluster that made them. */
      snapshots: DeleteVolumeSnapshotRequest[];
      /** The same snapshots as named for a person: what a release leaves in the cluster (absent from plans of older workers). */
      keptSnapshots?: KeptSnapshot[];
      /** Resources snapshot and per-PV copies in the repository; empty for scope SNAPSHOTS. */
      repositorySnapshotIds: string[];
    };

const CAUSES: Record<DeletionCause, string> = {
  REQUESTED: 'deletion requested',
  EXPIRED: 'retention expired',
  SNAPSHOTS_EXPIRED: 'kept snapshots expired (the copy stays)',
  RELEASED: 'released by an admin; its kept snapshots stay in the cluster',
};

type PointRow = typeof recoveryPoints.$inferSelect;

function deleteRequests(row: PointRow): DeleteVolumeSnapshotRequest[] {
  const volumes = ((row.contents as Partial<RecordedContents>).persistentVolumes ?? []) as RecordedVolume[];
  return volumes.flatMap((v) =>
    v.snapshotName ? [{ version: 1 as const, namespace: v.namespace, snapshotName: v.snapshotName, ...(v.snapshotContentName ? { contentName: v.snapshotContentName } : {}) }] : [],
  );
}

/**
 * The steps of deleting a recovery point that touch Postgres and Temporal. Each is idempotent: a
 * retried step, or a deletion resumed after a crash, finds its job and treats what is gone as done.
 */
export function recoveryPointDeletionActivities(deps: ControlDeps) {
  const scoped = (orgId: string, id: string) => and(eq(recoveryPoints.orgId, orgId), eq(recoveryPoints.id, id));

  return {
    /**
     * Records the deletion's job and answers what to delete. A point has one job until it is gone: a new
     * run reopens the job an earlier one left FAILED or CANCELLED instead of adding one per attempt (only
     * a finished job, e.g. of the kept snapshots' own expiry, makes the next deletion a new one). SafeLock is checked
     * here too, not only by the API: a point locked now (the control plane's clock) is refused and the job
     * says until when.
     */
    async beginRecoveryPointDeletion(start: DeletionStart): Promise<DeletionPlan> {
      return deps.db.transaction(async (tx) => {
        const [row] = await tx.select().from(recoveryPoints).where(scoped(start.orgId, start.recoveryPointId)).for('update');
        const [open] = await tx
          .select({ id: jobs.id, runId: jobs.workflowRunId })
          .from(jobs)
          .where(and(eq(jobs.orgId, start.orgId), eq(jobs.kind, 'RECOVERY_POINT_DELETE'), eq(jobs.workflowId, start.workflowId), ne(jobs.status, 'COMPLETED')))
          .orderBy(desc(jobs.startedAt))
          .limit(1);
        const mine = open?.runId === start.runId ? open : undefined;
        if (!row) {
          if (!mine) return { status: 'GONE' };
          return { status: 'DELETE', job: { orgId: start.orgId, jobId: mine.id }, clusterId: null, clusterName: '', storageTargetId: null, snapshots: [], keptSnapshots: [], repositorySnapshotIds: [] };
        }
        const locked = row.lockedUntil && row.lockedUntil.getTime() > (deps.retentionClock ?? deps.clock)().getTime();
        const reason = locked ? `recovery point ${row.id} is SafeLocked until ${row.lockedUntil!.toISOString()}; it cannot be deleted before then` : undefined;
        const attempt = row.deletionAttempts > 0 ? `; attempt ${row.deletionAttempts + 1}` : '';
        const now = deps.clock();
        const state = {
          status: locked ? ('FAILED' as const) : ('RUNNING' as const),
          message: reason ?? `Deleting recovery point ${row.id} of ${row.definitionName} (${CAUSES[start.cause]}${attempt})`,
          errors: reason ? [{ message: reason }] : [],
          endedAt: locked ? now : null,
          workflowRunId: start.runId,
        };
        let jobId = open?.id;
        if (jobId && !mine) {
          // A point has one deletion job until it is deleted: a retry (the next pass, a DELETE, a release) reopens it.
          await tx.update(jobs).set(state).where(and(eq(jobs.orgId, start.orgId), eq(jobs.id, jobId)));
        }
        jobId ??= (
          await tx
            .insert(jobs)
            .values({
              ...state,
              orgId: start.orgId,
              kind: 'RECOVERY_POINT_DELETE',
              definitionId: row.definitionId,
              definitionName: row.definitionName,
              clusterId: row.clusterId,
              startedAt: now,
              workflowId: start.workflowId,
            })
            .returning({ id: jobs.id })
        )[0]!.id;
        const job = { orgId: start.orgId, jobId };
        if (reason) return { status: 'LOCKED', job, reason };
        const contents = row.contents as Partial<RecordedContents>;
        return {
          status: 'DELETE',
          job,
          clusterId: row.clusterId,
          clusterName: row.clusterName,
          storageTargetId: row.storageTargetId,
          ...(row.rds ? { rdsSnapshot: row.rds } : {}),
          snapshots: deleteRequests(row),
          keptSnapshots: keptSnapshotsOf(contents),
          repositorySnapshotIds: start.scope === 'SNAPSHOTS' ? [] : repositorySnapshotIds(contents),
        };
      });
    },

    /**
     * A deletion failed: no expiry pass retries it before the backoff has passed. Counted on the row, so
     * restarts and new passes see it; judged by the retention clock, as what is due is.
     */
    async deferRecoveryPointDeletion(input: { orgId: string; recoveryPointId: string }): Promise<{ attempts: number; retryAt: string } | null> {
      return deps.db.transaction(async (tx) => {
        const [row] = await tx.select({ attempts: recoveryPoints.deletionAttempts }).from(recoveryPoints).where(scoped(input.orgId, input.recoveryPointId)).for('update');
        if (!row) return null;
        const attempts = row.attempts + 1;
        const retryAt = new Date((deps.retentionClock ?? deps.clock)().getTime() + deletionRetryDelayMs(attempts));
        await tx.update(recoveryPoints).set({ deletionAttempts: attempts, deletionRetryAt: retryAt }).where(scoped(input.orgId, input.recoveryPointId));
        return { attempts, retryAt: retryAt.toISOString() };
      });
    },

    /**
     * Why the kept snapshots cannot be deleted now, or null. Only the cluster's own agent may touch them;
     * without it the deletion stops before anything is removed, so the point stays whole for the next pass.
     */
    async snapshotClusterUnavailableReason(input: { orgId: string; clusterId: string | null; clusterName: string; snapshots: string[] }): Promise<string | null> {
      const which = `its kept snapshots (${input.snapshots.join(', ')})`;
      const [cluster] = input.clusterId
        ? await deps.db.select({ id: clusters.id }).from(clusters).where(and(eq(clusters.orgId, input.orgId), eq(clusters.id, input.clusterId)))
        : [];
      if (!cluster) {
        return `cluster ${input.clusterName} was removed from Haven, so no agent can delete ${which}; delete them in that cluster by hand, or register it again and install its agent`;
      }
      const offline = await skipCheckActivities(deps).agentNotConnectedReason({ clusterId: cluster.id });
      return offline ? `${which} cannot be deleted: ${offline}; the point is kept and retried by a later expiry pass, backing off` : null;
    },

    /** The last step of a full deletion. Restores that named the point keep their record (recoveryPointId null). */
    async removeRecoveryPoint(input: { orgId: string; recoveryPointId: string }): Promise<void> {
      await deps.db.delete(recoveryPoints).where(scoped(input.orgId, input.recoveryPointId));
    },

    /** After the kept snapshots expired: the point no longer names them, and stays restorable from its copy. */
    async forgetKeptSnapshots(input: { orgId: string; recoveryPointId: string }): Promise<void> {
      const [row] = await deps.db.select().from(recoveryPoints).where(scoped(input.orgId, input.recoveryPointId));
      if (!row) return;
      const contents = row.contents as RecordedContents;
      const persistentVolumes = (contents.persistentVolumes as RecordedVolume[]).map(
        ({ snapshotClass: _class, snapshotName: _name, snapshotContentName: _content, snapshotHandle: _handle, snapshotDriver: _driver, snapshotDeletionPolicy: _policy, ...copy }) => copy,
      );
      await deps.db
        .update(recoveryPoints)
        // Its deletion succeeded: a later one (at the point's own expiry) starts without backoff.
        .set({ contents: { ...contents, persistentVolumes }, snapshotExpiresAt: null, deletionAttempts: 0, deletionRetryAt: null })
        .where(scoped(input.orgId, input.recoveryPointId));
    },
  };
}
