import { foreignKey, index, integer, jsonb, pgTable, text, unique, uniqueIndex } from 'drizzle-orm/pg-core';
import { tenantRecordColumns } from './columns.js';
import { hookTypeEnum } from './enums.js';
import { organizations } from './organizations.js';

export const appHooks = pgTable(
  'app_hooks',
  {
    ...tenantRecordColumns(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    type: hookTypeEnum('type').notNull(),
    command: jsonb('command').$type<string[]>().notNull(),
    podSelector: text('pod_selector').notNull(),
    namespaces: jsonb('namespaces').$type<string[]>().notNull(),
    container: text('container'),
    timeoutSeconds: integer('timeout_seconds').notNull(),
    onError: text('on_error').$type<'FAIL' | 'CONTINUE'>().notNull(),
  },
  (t) => [
    foreignKey({ name: 'app_hooks_org_fk', columns: [t.orgId], foreignColumns: [organizations.id] }).onDelete('cascade'),
    unique('app_hooks_org_id_id_unique').on(t.orgId, t.id),
    uniqueIndex('app_hooks_org_name_unique').on(t.orgId, t.name),
    index('app_hooks_org_created_idx').on(t.orgId, t.createdAt, t.id),
  ],
);
