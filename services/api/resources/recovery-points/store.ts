import type { recoveryPoints } from '../../../../lib/db/schema/index.js';
import type { RecoveryPoint } from './schema.js';

type Row = typeof recoveryPoints.$inferSelect;

/** SafeLock holds until its instant passes; after that the point may be deleted like any other. */
export function isLocked(row: Row, now: Date): boolean {
  return row.lockedUntil !== null && row.lockedUntil.getTime() > now.getTime();
}

export function toApi(row: Row, now: Date): RecoveryPoint {
  return {
    id: row.id,
    type: row.type,
    sourceType: row.sourceType,
    clusterId: row.clusterId,
    clusterName: row.clusterName,
    definitionId: row.definitionId,
    definitionName: row.definitionName,
    jobId: row.jobId,
    storageTargetId: row.storageTargetId,
    rds: row.rds ?? null,
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
    snapshotExpiresAt: row.snapshotExpiresAt?.toISOString() ?? null,
    safeLock: { locked: isLocked(row, now), lockedUntil: row.lockedUntil?.toISOString() ?? null },
    sizeBytes: row.sizeBytes,
    lastDrill: row.lastDrill,
    contents: row.contents,
  };
}
