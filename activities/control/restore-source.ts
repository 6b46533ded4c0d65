import { ApplicationFailure } from '@temporalio/activity';
import { and, eq } from 'drizzle-orm';
import { recoveryPoints } from '../../lib/db/schema/index.js';
import type { StoredRecoveryPointVolume } from '../../lib/domain/recovery-point-contents.js';
import type { ControlDeps } from './deps.js';
import type { RecordedContents } from './recovery-points.js';

export interface RestoreSource {
  storageTargetId: string;
  /** The datamover snapshot of the recovery point's resources. */
  resourcesSnapshotId: string;
  /** Namespaces the point holds, for the job's message. */
  namespaces: string[];
  /** The PVs the point protects, each with where its data is (a CSI snapshot, or a copy). */
  persistentVolumes: StoredRecoveryPointVolume[];
}

/**
 * Where a restore reads from: the recovery point row keeps the storage target and, in its contents, the
 * resources snapshot id (which the API never shows). Read when the run starts, not when the restore was
 * saved, so a point that expired in between fails the run plainly.
 */
export function restoreSourceActivities(deps: ControlDeps) {
  return {
    async resolveRestoreSource(input: { orgId: string; recoveryPointId: string }): Promise<RestoreSource> {
      const [point] = await deps.db
        .select()
        .from(recoveryPoints)
        .where(and(eq(recoveryPoints.orgId, input.orgId), eq(recoveryPoints.id, input.recoveryPointId)));
      if (!point) throw ApplicationFailure.nonRetryable(`recovery point ${input.recoveryPointId} no longer exists (it expired or was deleted)`, 'RECOVERY_POINT_NOT_FOUND');
      if (point.sourceType !== 'kubernetes' || !point.storageTargetId) {
        throw ApplicationFailure.nonRetryable(`recovery point ${point.id} is an RDS snapshot: restore it with /rds-restores`, 'RECOVERY_POINT_NOT_KUBERNETES');
      }
      const { storageTargetId } = point;
      const contents = point.contents as Partial<RecordedContents>;
      if (!contents.resourcesSnapshotId) {
        throw ApplicationFailure.nonRetryable(`recovery point ${point.id} records no resources snapshot, so it has nothing to restore`, 'RECOVERY_POINT_EMPTY');
      }
      return {
        storageTargetId,
        resourcesSnapshotId: contents.resourcesSnapshotId,
        namespaces: contents.namespaces ?? [],
        persistentVolumes: contents.persistentVolumes ?? [],
      };
    },
  };
}
