import { foreignKey, index, jsonb, pgTable, text, timestamp, unique, uniqueIndex } from 'drizzle-orm/pg-core';
import { tenantRecordColumns } from './columns.js';
import { cloudAccountAuthEnum } from './enums.js';
import { organizations } from './organizations.js';

/**
 * An AWS account an organization protects RDS databases in. Reached either with its own access keys
 * (encrypted at rest like storage credentials, lib/db/cloud-account-secrets.ts) or by assuming a role
 * with the external id `haven-<organization id>`, which Haven sets and the tenant cannot choose.
 */
export const cloudAccounts = pgTable(
  'cloud_accounts',
  {
    ...tenantRecordColumns(),
    name: text('name').notNull(),
    authKind: cloudAccountAuthEnum('auth_kind').notNull(),
    roleArn: text('role_arn'),
    /** ACCESS_KEYS: AES-256-GCM envelope of the keys JSON; null for ASSUME_ROLE. */
    credentialsCiphertext: text('credentials_ciphertext'),
    /** The AWS account id STS answered with when the account was checked. */
    awsAccountId: text('aws_account_id').notNull(),
    /** Regions the inventory covers. */
    regions: jsonb('regions').$type<string[]>().notNull(),
    lastInventoryAt: timestamp('last_inventory_at', { withTimezone: true, mode: 'date' }),
    /** Why the last inventory failed (cleared by a successful one). */
    lastInventoryError: text('last_inventory_error'),
  },
  (t) => [
    foreignKey({ name: 'cloud_accounts_org_fk', columns: [t.orgId], foreignColumns: [organizations.id] }).onDelete('cascade'),
    unique('cloud_accounts_org_id_id_unique').on(t.orgId, t.id),
    uniqueIndex('cloud_accounts_org_name_unique').on(t.orgId, t.name),
    index('cloud_accounts_org_created_idx').on(t.orgId, t.createdAt, t.id),
  ],
);

export type CloudAccountRow = typeof cloudAccounts.$inferSelect;
