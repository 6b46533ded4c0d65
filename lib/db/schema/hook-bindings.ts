import { foreignKey, index, integer, pgTable, primaryKey, text, uuid } from 'drizzle-orm/pg-core';
import { appHooks } from './app-hooks.js';
import { definitions } from './definitions.js';

/** Where a definition runs which hook. A row per use keeps hook deletion refusable by the database. */
export const hookBindings = pgTable(
  'hook_bindings',
  {
    orgId: uuid('org_id').notNull(),
    definitionId: uuid('definition_id').notNull(),
    /** e.g. PRE_BACKUP, SOURCE_POST_BACKUP, DESTINATION_POST_RESTORE: the slot in the definition. */
    phase: text('phase').notNull(),
    position: integer('position').notNull(),
    hookId: uuid('hook_id').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.definitionId, t.phase, t.position] }),
    foreignKey({
      name: 'hook_bindings_definition_fk',
      columns: [t.orgId, t.definitionId],
      foreignColumns: [definitions.orgId, definitions.id],
    }).onDelete('cascade'),
    foreignKey({ name: 'hook_bindings_hook_fk', columns: [t.orgId, t.hookId], foreignColumns: [appHooks.orgId, appHooks.id] }),
    index('hook_bindings_hook_idx').on(t.hookId),
  ],
);
