import { foreignKey, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { PgTableExtraConfigValue } from 'drizzle-orm/pg-core';
import { storageTargets } from './storage-targets.js';

export const organizations = pgTable(
  'organizations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    /** The account-wide default destination, the last step of job > cluster > account. */
    defaultStorageTargetId: uuid('default_storage_target_id'),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull().defaultNow(),
  },
  (t): PgTableExtraConfigValue[] => [
    // Composite key: the default destination must belong to this very organization.
    foreignKey({
      name: 'organizations_default_storage_target_fk',
      columns: [t.id, t.defaultStorageTargetId],
      foreignColumns: [storageTargets.orgId, storageTargets.id],
    }),
  ],
);
