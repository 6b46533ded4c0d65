import { foreignKey, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { organizations } from './organizations.js';

/**
 * Each organization's Temporal payload keys. The key itself is stored wrapped by the installation key
 * (HAVEN_PAYLOAD_KEY, a secret envelope bound to `payload-key:<org>:<version>`); the highest version
 * encrypts, every version decrypts, so rotation is adding a version.
 */
export const organizationPayloadKeys = pgTable(
  'organization_payload_keys',
  {
    orgId: uuid('org_id').notNull(),
    version: integer('version').notNull(),
    wrappedKey: text('wrapped_key').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: 'organization_payload_keys_pk', columns: [t.orgId, t.version] }),
    foreignKey({ name: 'organization_payload_keys_org_fk', columns: [t.orgId], foreignColumns: [organizations.id] }).onDelete('cascade'),
  ],
);
