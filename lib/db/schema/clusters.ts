import { foreignKey, index, jsonb, pgTable, text, timestamp, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { tenantRecordColumns } from './columns.js';
import { organizations } from './organizations.js';
import { storageTargets } from './storage-targets.js';

export const clusters = pgTable(
  'clusters',
  {
    ...tenantRecordColumns(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    tags: jsonb('tags').$type<Record<string, string>>().notNull().default({}),
    kubeletPodsDir: text('kubelet_pods_dir').notNull(),
    /** The cluster step of job > cluster > account; null inherits the account default. */
    defaultStorageTargetId: uuid('default_storage_target_id'),
    /** SHA-256 of the agent's registration token; the token is shown once. */
    agentTokenHash: text('agent_token_hash').notNull(),
    /** Last time the liveness seam saw an agent poll this cluster's queue. */
    agentLastSeenAt: timestamp('agent_last_seen_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    foreignKey({ name: 'clusters_org_fk', columns: [t.orgId], foreignColumns: [organizations.id] }).onDelete('cascade'),
    foreignKey({
      name: 'clusters_default_storage_target_fk',
      columns: [t.orgId, t.defaultStorageTargetId],
      foreignColumns: [storageTargets.orgId, storageTargets.id],
    }),
    unique('clusters_org_id_id_unique').on(t.orgId, t.id),
    uniqueIndex('clusters_org_name_unique').on(t.orgId, t.name),
    uniqueIndex('clusters_agent_token_hash_unique').on(t.agentTokenHash),
    index('clusters_org_created_idx').on(t.orgId, t.createdAt, t.id),
  ],
);
