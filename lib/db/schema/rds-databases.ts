import { foreignKey, index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { cloudAccounts } from './cloud-accounts.js';
import { rdsDatabaseTypeEnum } from './enums.js';
import { organizations } from './organizations.js';

export interface StoredAutomaticSnapshot {
  identifier: string;
  createdAt: string | null;
  status: string;
}

/**
 * What the inventory found: one row per RDS instance or Aurora cluster of an account and region. A
 * database AWS no longer lists keeps its row with `deletedAt` set, so its recovery points and history
 * still name it.
 */
export const rdsDatabases = pgTable(
  'rds_databases',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id').notNull(),
    cloudAccountId: uuid('cloud_account_id').notNull(),
    region: text('region').notNull(),
    type: rdsDatabaseTypeEnum('type').notNull(),
    identifier: text('identifier').notNull(),
    arn: text('arn').notNull(),
    engine: text('engine').notNull(),
    engineVersion: text('engine_version').notNull().default(''),
    status: text('status').notNull(),
    instanceClass: text('instance_class'),
    automaticSnapshots: jsonb('automatic_snapshots').$type<StoredAutomaticSnapshot[]>().notNull().default([]),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull().defaultNow(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true, mode: 'date' }).notNull(),
    deletedAt: timestamp('deleted_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    foreignKey({ name: 'rds_databases_org_fk', columns: [t.orgId], foreignColumns: [organizations.id] }).onDelete('cascade'),
    foreignKey({ name: 'rds_databases_account_fk', columns: [t.orgId, t.cloudAccountId], foreignColumns: [cloudAccounts.orgId, cloudAccounts.id] }).onDelete('cascade'),
    uniqueIndex('rds_databases_identity_unique').on(t.orgId, t.cloudAccountId, t.region, t.type, t.identifier),
    index('rds_databases_org_created_idx').on(t.orgId, t.createdAt, t.id),
  ],
);

export type RdsDatabaseRow = typeof rdsDatabases.$inferSelect;
