import { boolean, foreignKey, index, jsonb, pgTable, text, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { clusters } from './clusters.js';
import { tenantRecordColumns } from './columns.js';
import { definitionKindEnum } from './enums.js';
import { organizations } from './organizations.js';
import { policies } from './policies.js';
import { recoveryPoints } from './recovery-points.js';
import { storageTargets } from './storage-targets.js';

/**
 * Backup, replication and restore definitions share one table: they reference the same things
 * (clusters, policies, storage targets, hooks), so "what still references X" is one query and the
 * database refuses dangling references for all of them. Options that reference nothing live in
 * `spec`, validated by the API's schema for the kind.
 *
 * Foreign keys to tenant records are composite (org_id, id): a definition can never point into
 * another organization even if application code were wrong.
 */
export const definitions = pgTable(
  'definitions',
  {
    ...tenantRecordColumns(),
    kind: definitionKindEnum('kind').notNull(),
    name: text('name').notNull(),
    /** Backup and replication: the source cluster. Restore: the target cluster. RDS backups: null (spec names the database). */
    clusterId: uuid('cluster_id'),
    /** Replication only: the destination cluster. */
    destinationClusterId: uuid('destination_cluster_id'),
    policyId: uuid('policy_id'),
    /** The job step of job > cluster > account; null inherits. */
    storageTargetId: uuid('storage_target_id'),
    /** Restore only; cleared when the recovery point expires. */
    recoveryPointId: uuid('recovery_point_id').references((): AnyPgColumn => recoveryPoints.id, { onDelete: 'set null' }),
    spec: jsonb('spec').$type<Record<string, unknown>>().notNull(),
    tags: jsonb('tags').$type<Record<string, string>>().notNull().default({}),
    paused: boolean('paused').notNull().default(false),
    /** Notification preferences of this definition (lib/domain/definitions/notifications.ts). */
    notifications: jsonb('notifications').$type<{ optOut: boolean }>().notNull().default({ optOut: false }),
  },
  (t) => [
    foreignKey({ name: 'definitions_org_fk', columns: [t.orgId], foreignColumns: [organizations.id] }).onDelete('cascade'),
    foreignKey({ name: 'definitions_cluster_fk', columns: [t.orgId, t.clusterId], foreignColumns: [clusters.orgId, clusters.id] }),
    foreignKey({
      name: 'definitions_destination_cluster_fk',
      columns: [t.orgId, t.destinationClusterId],
      foreignColumns: [clusters.orgId, clusters.id],
    }),
    foreignKey({ name: 'definitions_policy_fk', columns: [t.orgId, t.policyId], foreignColumns: [policies.orgId, policies.id] }),
    foreignKey({
      name: 'definitions_storage_target_fk',
      columns: [t.orgId, t.storageTargetId],
      foreignColumns: [storageTargets.orgId, storageTargets.id],
    }),
    unique('definitions_org_id_id_unique').on(t.orgId, t.id),
    uniqueIndex('definitions_org_kind_name_unique').on(t.orgId, t.kind, t.name),
    index('definitions_org_kind_created_idx').on(t.orgId, t.kind, t.createdAt, t.id),
    index('definitions_cluster_idx').on(t.clusterId),
    index('definitions_destination_cluster_idx').on(t.destinationClusterId),
    index('definitions_policy_idx').on(t.policyId),
    index('definitions_storage_target_idx').on(t.storageTargetId),
  ],
);

export type DefinitionRow = typeof definitions.$inferSelect;

/** The cluster of a backup, replication or restore definition: only RDS backups have none, so null here is a bug. */
export function definitionClusterId(row: { id: string; kind: string; clusterId: string | null }): string {
  if (!row.clusterId) throw new Error(`${row.kind.toLowerCase()} definition ${row.id} has no cluster`);
  return row.clusterId;
}
