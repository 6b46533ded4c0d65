import { ne } from 'drizzle-orm';
import type { Database } from '../../../lib/db/client.js';
import { definitions, organizations, policies } from '../../../lib/db/schema/index.js';
import { desiredSchedules } from '../resources/definitions/schedules.js';
import type { TemporalSchedules } from './temporal-schedules.js';

export interface ReconcileReport {
  /** Definitions whose schedules were made to match the database. */
  synced: number;
  /** Definitions gone from the database whose schedules were deleted. */
  removed: number;
}

/**
 * Makes Temporal's schedules agree with the database, for every organization: a change whose
 * transaction failed after Temporal accepted it, or a definition saved while the engine was away, is
 * set right here. Runs without a tenant on purpose: it is the installation's own upkeep, at start.
 * Schedules made for organizations this database does not know belong to another installation
 * sharing the namespace and are left alone.
 */
export async function reconcileSchedules(db: Database, schedules: TemporalSchedules): Promise<ReconcileReport> {
  const rows = await db.select().from(definitions).where(ne(definitions.kind, 'RESTORE'));
  const policyById = new Map((await db.select().from(policies)).map((policy) => [policy.id, policy]));
  const knownOrgs = new Set((await db.select({ id: organizations.id }).from(organizations)).map((org) => org.id));
  const report: ReconcileReport = { synced: 0, removed: 0 };
  for (const row of rows) {
    const desired = desiredSchedules(row, row.policyId ? policyById.get(row.policyId) : undefined);
    if (!desired) continue;
    await schedules.sync(desired);
    report.synced += 1;
  }
  const known = new Set(rows.map((row) => row.id));
  for (const [definitionId, { orgId }] of await schedules.existing()) {
    if (known.has(definitionId) || !orgId || !knownOrgs.has(orgId)) continue;
    await schedules.sync({ orgId, definitionId, kind: 'BACKUP', clusterId: '', timeZone: 'UTC', entries: [], paused: false });
    report.removed += 1;
  }
  return report;
}
