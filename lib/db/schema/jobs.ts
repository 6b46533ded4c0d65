import { bigint, foreignKey, index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { clusters } from './clusters.js';
import { definitions } from './definitions.js';
import { jobKindEnum, jobStatusEnum } from './enums.js';
import { organizations } from './organizations.js';
import type { StoredDrillOutcome } from '../../domain/drill-result.js';

export interface StoredJobError {
  message: string;
  resource?: string;
  /** A redacted excerpt of a hook's output, apart from `message` because the API shows it to operators and admins only. */
  output?: string;
}

/** A run; written by the workflows, read by the API. Outlives its definition and cluster. */
export const jobs = pgTable(
  'jobs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id').notNull(),
    kind: jobKindEnum('kind').notNull(),
    definitionId: uuid('definition_id').references((): AnyPgColumn => definitions.id, { onDelete: 'set null' }),
    definitionName: text('definition_name').notNull(),
    clusterId: uuid('cluster_id').references((): AnyPgColumn => clusters.id, { onDelete: 'set null' }),
    status: jobStatusEnum('status').notNull(),
    skipReason: text('skip_reason'),
    message: text('message').notNull().default(''),
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull().defaultNow(),
    endedAt: timestamp('ended_at', { withTimezone: true, mode: 'date' }),
    bytesTransferred: bigint('bytes_transferred', { mode: 'number' }).notNull().default(0),
    filesTransferred: bigint('files_transferred', { mode: 'number' }).notNull().default(0),
    errors: jsonb('errors').$type<StoredJobError[]>().notNull().default([]),
    workflowId: text('workflow_id').notNull(),
    workflowRunId: text('workflow_run_id'),
    /** DRILL jobs: the verdict with its differences, once the drill has compared. */
    drill: jsonb('drill').$type<StoredDrillOutcome>(),
  },
  (t) => [
    foreignKey({ name: 'jobs_org_fk', columns: [t.orgId], foreignColumns: [organizations.id] }).onDelete('cascade'),
    index('jobs_org_started_idx').on(t.orgId, t.startedAt, t.id),
    index('jobs_definition_idx').on(t.definitionId),
  ],
);
