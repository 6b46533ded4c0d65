import { boolean, foreignKey, index, pgTable, text, unique, uniqueIndex } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { tenantRecordColumns } from './columns.js';
import { roleEnum } from './enums.js';
import { organizations } from './organizations.js';

/**
 * People of an organization. API keys belong to a user: a key's effective role is its own role capped
 * by its user's, and a disabled user's keys stop authenticating. The email is kept as entered but is
 * unique per organization case-insensitively (the index is on lower(email)).
 */
export const users = pgTable(
  'users',
  {
    ...tenantRecordColumns(),
    email: text('email').notNull(),
    displayName: text('display_name').notNull(),
    role: roleEnum('role').notNull(),
    disabled: boolean('disabled').notNull().default(false),
  },
  (t) => [
    foreignKey({ name: 'users_org_fk', columns: [t.orgId], foreignColumns: [organizations.id] }).onDelete('cascade'),
    unique('users_org_id_id_unique').on(t.orgId, t.id),
    uniqueIndex('users_org_email_unique').on(t.orgId, sql`lower(${t.email})`),
    index('users_org_created_idx').on(t.orgId, t.createdAt, t.id),
  ],
);
