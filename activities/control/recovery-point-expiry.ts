import { and, asc, isNull, lte, or, sql } from 'drizzle-orm';
import { recoveryPoints, storageTargets } from '../../lib/db/schema/index.js';
import type { DeletionCause, DeletionScope } from '../../lib/domain/runs/recovery-point-deletion.js';
import type { ControlDeps } from './deps.js';

export interface DuePoint {
  orgId: string;
  recoveryPointId: string;
  /** Null for awsrds points (no repository to collect garbage in). */
  storageTargetId: string | null;
  scope: DeletionScope;
  cause: DeletionCause;
}

export interface ExpiryPlan {
  /** The control plane's clock when the pass was planned: what "due" was judged at. */
  now: string;
  due: DuePoint[];
  /** Every storage target of every organization: GC visits those with pending tombstones even when nothing expired. */
  storageTargets: { orgId: string; storageTargetId: string }[];
}

/**
 * What one expiry pass does, across organizations (the installation's own upkeep, like the schedules'
 * reconcile): points past their expiry, or past their kept snapshots' shorter expiry, not SafeLocked at
 * `now`, and not backing off from a failed deletion. A SNAPSHOT point's snapshots are its data, so their
 * expiry ends the whole point.
 *
 * Fairness: the batch takes each organization's oldest due point, then each one's second, and so on, so
 * one organization's backlog (or its points that cannot be deleted) never crowds out another's.
 */
export function recoveryPointExpiryActivities(deps: ControlDeps) {
  return {
    async planExpiryPass(input: { batch: number }): Promise<ExpiryPlan> {
      const now = (deps.retentionClock ?? deps.clock)();
      const dueAt = sql<Date>`least(${recoveryPoints.expiresAt}, coalesce(${recoveryPoints.snapshotExpiresAt}, ${recoveryPoints.expiresAt}))`;
      const ranked = deps.db
        .select({
          orgId: recoveryPoints.orgId,
          id: recoveryPoints.id,
          type: recoveryPoints.type,
          storageTargetId: recoveryPoints.storageTargetId,
          expiresAt: recoveryPoints.expiresAt,
          dueAt: dueAt.as('due_at'),
          rank: sql<number>`row_number() over (partition by ${recoveryPoints.orgId} order by ${dueAt}, ${recoveryPoints.id})`.as('org_rank'),
        })
        .from(recoveryPoints)
        .where(
          and(
            or(lte(recoveryPoints.expiresAt, now), lte(recoveryPoints.snapshotExpiresAt, now)),
            or(isNull(recoveryPoints.lockedUntil), lte(recoveryPoints.lockedUntil, now)),
            or(isNull(recoveryPoints.deletionRetryAt), lte(recoveryPoints.deletionRetryAt, now)),
          ),
        )
        .as('ranked');
      const rows = await deps.db.select().from(ranked).orderBy(asc(ranked.rank), asc(ranked.dueAt), asc(ranked.id)).limit(input.batch);
      const targets = await deps.db
        .select({ orgId: storageTargets.orgId, storageTargetId: storageTargets.id })
        .from(storageTargets)
        .orderBy(asc(storageTargets.id));
      return {
        now: now.toISOString(),
        due: rows.map((row) => {
          const whole = row.expiresAt <= now || row.type === 'SNAPSHOT';
          return {
            orgId: row.orgId,
            recoveryPointId: row.id,
            storageTargetId: row.storageTargetId,
            scope: whole ? 'ALL' : 'SNAPSHOTS',
            cause: whole ? 'EXPIRED' : 'SNAPSHOTS_EXPIRED',
          };
        }),
        storageTargets: targets,
      };
    },
  };
}
