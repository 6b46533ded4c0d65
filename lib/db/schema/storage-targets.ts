import { boolean, foreignKey, jsonb, pgTable, text, unique, uniqueIndex, index } from 'drizzle-orm/pg-core';
import type { AnyPgColumn, PgTableExtraConfigValue } from 'drizzle-orm/pg-core';
import { tenantRecordColumns } from './columns.js';
import { storageTargetKindEnum } from './enums.js';
import { organizations } from './organizations.js';
import { DEFAULT_VERIFICATION_SETTINGS, type VerificationSettings } from '../../domain/storage-verification.js';

export const storageTargets = pgTable(
  'storage_targets',
  {
    ...tenantRecordColumns(),
    name: text('name').notNull(),
    kind: storageTargetKindEnum('kind').notNull(),
    /** Non-secret settings (S3: endpoint, region, bucket, prefix, path style; filesystem: path). */
    config: jsonb('config').$type<Record<string, unknown>>().notNull(),
    /** AES-256-GCM envelope of the credentials JSON (lib/common/secrets.ts); null for filesystem. */
    credentialsCiphertext: text('credentials_ciphertext'),
    objectLockCapable: boolean('object_lock_capable').notNull().default(false),
    /**
     * Envelope (lib/common/secrets.ts) of the random secret that wraps this target's repository
     * keys. Separate from the credentials, so rotating those never touches stored data. Null only for
     * targets created before it existed; the first backup creates it.
     */
    repositorySecretCiphertext: text('repository_secret_ciphertext'),
    /** When and how its repository is verified (lib/domain/storage-verification.ts); its Schedule follows it. */
    verification: jsonb('verification').$type<VerificationSettings>().notNull().default(DEFAULT_VERIFICATION_SETTINGS),
  },
  (t): PgTableExtraConfigValue[] => [
    foreignKey({ name: 'storage_targets_org_fk', columns: [t.orgId], foreignColumns: [organizations.id as AnyPgColumn] }).onDelete(
      'cascade',
    ),
    // Target of the composite foreign keys that keep references inside one organization.
    unique('storage_targets_org_id_id_unique').on(t.orgId, t.id),
    uniqueIndex('storage_targets_org_name_unique').on(t.orgId, t.name),
    index('storage_targets_org_created_idx').on(t.orgId, t.createdAt, t.id),
  ],
);
