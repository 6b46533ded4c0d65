import { foreignKey, index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { verificationModeEnum, verificationStatusEnum, verificationTriggerEnum } from './enums.js';
import { organizations } from './organizations.js';
import { storageTargets } from './storage-targets.js';
import type { VerificationFigures, VerificationFinding } from '../../domain/storage-verification.js';

/**
 * One verification of a storage target's repository, written by its workflow. Goes with its target: a
 * target can be deleted only when nothing is stored there, and then its checks say nothing any more.
 */
export const storageVerifications = pgTable(
  'storage_verifications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id').notNull(),
    storageTargetId: uuid('storage_target_id').notNull(),
    status: verificationStatusEnum('status').notNull(),
    trigger: verificationTriggerEnum('trigger').notNull(),
    mode: verificationModeEnum('mode').notNull(),
    samplePercent: integer('sample_percent').notNull(),
    message: text('message').notNull().default(''),
    figures: jsonb('figures').$type<VerificationFigures>(),
    /** Objects found bad (at most MAX_VERIFICATION_FINDINGS); `findingCount` counts them all. */
    findings: jsonb('findings').$type<VerificationFinding[]>().notNull().default([]),
    findingCount: integer('finding_count').notNull().default(0),
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull().defaultNow(),
    endedAt: timestamp('ended_at', { withTimezone: true, mode: 'date' }),
    workflowId: text('workflow_id').notNull(),
  },
  (t) => [
    foreignKey({ name: 'storage_verifications_org_fk', columns: [t.orgId], foreignColumns: [organizations.id] }).onDelete('cascade'),
    foreignKey({
      name: 'storage_verifications_storage_target_fk',
      columns: [t.orgId, t.storageTargetId],
      foreignColumns: [storageTargets.orgId, storageTargets.id],
    }).onDelete('cascade'),
    index('storage_verifications_target_started_idx').on(t.orgId, t.storageTargetId, t.startedAt, t.id),
    index('storage_verifications_workflow_idx').on(t.workflowId),
  ],
);

export type StorageVerificationRow = typeof storageVerifications.$inferSelect;
