import { foreignKey, index, jsonb, pgTable, text, unique, uniqueIndex } from 'drizzle-orm/pg-core';
import { tenantRecordColumns } from './columns.js';
import { organizations } from './organizations.js';

export interface StoredSchedule {
  cron: string;
  retentionDays: number;
  safeLock: boolean;
}

export const policies = pgTable(
  'policies',
  {
    ...tenantRecordColumns(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    timeZone: text('time_zone').notNull(),
    schedules: jsonb('schedules').$type<StoredSchedule[]>().notNull(),
  },
  (t) => [
    foreignKey({ name: 'policies_org_fk', columns: [t.orgId], foreignColumns: [organizations.id] }).onDelete('cascade'),
    unique('policies_org_id_id_unique').on(t.orgId, t.id),
    uniqueIndex('policies_org_name_unique').on(t.orgId, t.name),
    index('policies_org_created_idx').on(t.orgId, t.createdAt, t.id),
  ],
);
