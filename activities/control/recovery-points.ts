import { ApplicationFailure } from '@temporalio/activity';
import { eq } from 'drizzle-orm';
import type { RecoveryPointType } from '../../lib/common/enums.js';
import { clusters, recoveryPoints } from '../../lib/db/schema/index.js';
import type { StoredRecoveryPointContents, StoredRecoveryPointVolume } from '../../lib/domain/recovery-point-contents.js';
import type { ControlDeps } from './deps.js';

const DAY_MS = 86_400_000;

/** The contents column also keeps where the data is in the repository (restores read it; the API does not show it). */
export interface RecordedContents extends StoredRecoveryPointContents {
  resourcesSnapshotId: string;
}

/**
 * A PV as the contents column keeps it: for a kept CSI snapshot also its content's driver and the
 * deletion policy it had before Haven switched it to Retain (expiry deletes the data with these).
 */
export interface RecordedVolume extends StoredRecoveryPointVolume {
  snapshotDriver?: string;
  snapshotDeletionPolicy?: string;
}

export interface RecoveryPointRecord {
  /** Chosen by the workflow, so a retried insert is a no-op instead of a duplicate. */
  recoveryPointId: string;
  orgId: string;
  jobId: string;
  type: RecoveryPointType;
  clusterId: string;
  definitionId: string;
  definitionName: string;
  storageTargetId: string;
  retention: { days: number; safeLock: boolean };
  /** Preserved snapshots' own retention (copy points); they then expire before the copy. */
  snapshotRetentionDays?: number | null;
  resourcesSnapshotId: string;
  namespaces: string[];
  resourceCount: number;
  sizeBytes: number;
  /** The PVs this point protects; absent for runs that protect none. */
  persistentVolumes?: RecordedVolume[];
  /**
   * With SafeLock: the date every object the point needs was locked until (lockRecoveryPointData), which
   * the point then records as its expiry and lock, so the row never promises more than the bucket holds.
   */
  lockedUntil?: string;
}

/** Retention days from a moment: where a point's expiry and its SafeLock both start. */
export function expiryFrom(start: Date, days: number): Date {
  return new Date(start.getTime() + days * DAY_MS);
}

export function recoveryPointActivities(deps: ControlDeps) {
  return {
    /**
     * Expiry is creation plus retention; SafeLock holds the point until then. A SafeLocked point is only
     * recorded once its data is locked: its expiry is then the date the objects hold.
     */
    async recordRecoveryPoint(record: RecoveryPointRecord): Promise<{ id: string; expiresAt: string }> {
      if (record.retention.safeLock && !record.lockedUntil) {
        throw ApplicationFailure.nonRetryable('a SafeLocked recovery point is recorded only after its data is locked (lockRecoveryPointData)', 'SAFELOCK_NOT_APPLIED');
      }
      const [cluster] = await deps.db.select({ name: clusters.name }).from(clusters).where(eq(clusters.id, record.clusterId));
      const createdAt = deps.clock();
      const expiresAt = record.retention.safeLock ? new Date(record.lockedUntil!) : expiryFrom(createdAt, record.retention.days);
      const keepsSnapshots = (record.persistentVolumes ?? []).some((v) => v.snapshotName);
      const snapshotDays = record.snapshotRetentionDays ?? null;
      // Only an earlier expiry is recorded: the snapshots go with the point anyway.
      const snapshotExpiresAt = keepsSnapshots && snapshotDays !== null && snapshotDays < record.retention.days ? expiryFrom(createdAt, snapshotDays) : null;
      const contents: RecordedContents = {
        namespaces: record.namespaces,
        resourceCount: record.resourceCount,
        persistentVolumes: record.persistentVolumes ?? [],
        resourcesSnapshotId: record.resourcesSnapshotId,
      };
      await deps.db
        .insert(recoveryPoints)
        .values({
          id: record.recoveryPointId,
          orgId: record.orgId,
          type: record.type,
          clusterId: record.clusterId,
          clusterName: cluster?.name ?? record.clusterId,
          definitionId: record.definitionId,
          definitionName: record.definitionName,
          jobId: record.jobId,
          storageTargetId: record.storageTargetId,
          createdAt,
          expiresAt,
          snapshotExpiresAt,
          lockedUntil: record.retention.safeLock ? expiresAt : null,
          sizeBytes: record.sizeBytes,
          contents,
        })
        .onConflictDoNothing({ target: recoveryPoints.id });
      return { id: record.recoveryPointId, expiresAt: expiresAt.toISOString() };
    },
  };
}
