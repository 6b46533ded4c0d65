import { foreignKey, pgTable, text, timestamp, uuid, uniqueIndex, index } from 'drizzle-orm/pg-core';
import { roleEnum } from './enums.js';
import { organizations } from './organizations.js';
import { users } from './users.js';

/**
 * Only the SHA-256 of a key is stored; the key itself is shown once, at creation. A key belongs to a
 * user (deleting the user revokes its keys); `user_id` is null only for keys made before users existed.
 */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    role: roleEnum('role').notNull(),
    userId: uuid('user_id'),
    keyHash: text('key_hash').notNull(),
    /** Last four characters, so a person can tell keys apart in a list. */
    keyHint: text('key_hint').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull().defaultNow(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    uniqueIndex('api_keys_key_hash_unique').on(t.keyHash),
    index('api_keys_org_idx').on(t.orgId, t.createdAt, t.id),
    index('api_keys_user_idx').on(t.userId),
    // Composite key: a key's user is of the key's own organization.
    foreignKey({ name: 'api_keys_user_fk', columns: [t.orgId, t.userId], foreignColumns: [users.orgId, users.id] }).onDelete('cascade'),
  ],
);
