import { bigint, foreignKey, index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { clusters } from './clusters.js';
import { definitions } from './definitions.js';
import { recoveryPointSourceEnum, recoveryPointTypeEnum } from './enums.js';
import { jobs } from './jobs.js';
import { organizations } from './organizations.js';
import { storageTargets } from './storage-targets.js';
import type { StoredRecoveryPointContents } from '../../domain/recovery-point-contents.js';
import type { StoredRdsSnapshot } from '../../domain/rds/snapshot.js';
import type { StoredDrillOutcome } from '../../domain/drill-result.js';

export type { StoredRecoveryPointContents, StoredRecoveryPointVolume } from '../../domain/recovery-point-contents.js';

/**
 * A restorable result of a backup. It outlives its cluster and definition (names are copied) until
 * it expires; its storage target cannot be deleted while it exists, since the data lives there.
 */
export const recoveryPoints = pgTable(
  'recovery_points',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id').notNull(),
    type: recoveryPointTypeEnum('type').notNull(),
    /** kubernetes: a cluster's backup in a storage target; awsrds: an RDS snapshot AWS holds (`rds` says where). */
    sourceType: recoveryPointSourceEnum('source_type').notNull().default('kubernetes'),
    clusterId: uuid('cluster_id').references((): AnyPgColumn => clusters.id, { onDelete: 'set null' }),
    clusterName: text('cluster_name').notNull(),
    definitionId: uuid('definition_id').references((): AnyPgColumn => definitions.id, { onDelete: 'set null' }),
    definitionName: text('definition_name').notNull(),
    jobId: uuid('job_id').references((): AnyPgColumn => jobs.id, { onDelete: 'set null' }),
    /** Null for awsrds points: their data is the RDS snapshot itself. */
    storageTargetId: uuid('storage_target_id'),
    /** awsrds only: the snapshot (account, region, identifier) and the database it was taken of. */
    rds: jsonb('rds').$type<StoredRdsSnapshot>(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    /** Retained snapshots may expire sooner than the copy. */
    snapshotExpiresAt: timestamp('snapshot_expires_at', { withTimezone: true, mode: 'date' }),
    /** SafeLock: no deletion before this instant (also enforced by S3 Object Lock on the objects). */
    lockedUntil: timestamp('locked_until', { withTimezone: true, mode: 'date' }),
    sizeBytes: bigint('size_bytes', { mode: 'number' }).notNull().default(0),
    contents: jsonb('contents').$type<StoredRecoveryPointContents>().notNull(),
    /**
     * Deletions of this point that failed in a row (agent away, cluster removed, storage refusing). Kept
     * in the row, not in a pass's memory, so the backoff survives worker restarts and Temporal history.
     */
    deletionAttempts: integer('deletion_attempts').notNull().default(0),
    /** No expiry pass retries the deletion before this instant (null: no failed deletion). */
    deletionRetryAt: timestamp('deletion_retry_at', { withTimezone: true, mode: 'date' }),
    /** The latest restore drill of this point: whether a restore of it was proven whole, and when. */
    lastDrill: jsonb('last_drill').$type<StoredDrillOutcome>(),
  },
  (t) => [
    foreignKey({ name: 'recovery_points_org_fk', columns: [t.orgId], foreignColumns: [organizations.id] }).onDelete('cascade'),
    foreignKey({
      name: 'recovery_points_storage_target_fk',
      columns: [t.orgId, t.storageTargetId],
      foreignColumns: [storageTargets.orgId, storageTargets.id],
    }),
    index('recovery_points_org_created_idx').on(t.orgId, t.createdAt, t.id),
    index('recovery_points_storage_target_idx').on(t.storageTargetId),
  ],
);
