import { integer, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * Columns every tenant-owned, user-editable record carries. `version` backs ETag / If-Match.
 * Timestamps used for keyset pagination keep millisecond precision so they survive a round trip
 * through a JavaScript Date unchanged (a cursor built from a row must compare equal to that row).
 */
export function tenantRecordColumns() {
  return {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id').notNull(),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull().defaultNow(),
  };
}
