import { WORKFLOW_TYPES } from '../../../lib/domain/runs/workflow-types.js';
import { syncIntervalSchedule } from './interval-schedule.js';
import type { TemporalSchedules } from './temporal-schedules.js';

/** How often expired recovery points are looked for (HAVEN_EXPIRY_INTERVAL_MINUTES); 0 turns periodic expiry off. */
export const DEFAULT_EXPIRY_INTERVAL_MINUTES = 15;

/**
 * One expiry Schedule per installation, named after its control task queue: installations sharing a
 * Temporal namespace each expire their own database's points. Its ids never match the definitions'
 * pattern (`haven-<uuid>-<n>`), so the definitions' reconcile leaves it alone.
 */
export function expiryScheduleId(controlTaskQueue: string): string {
  return `haven-expiry-${controlTaskQueue}`;
}

/** GC runs in a workflow of its own, not waited for, so a pass is short and the next one rarely finds it running. */
export async function syncExpirySchedule(schedules: TemporalSchedules, controlTaskQueue: string, intervalMinutes: number): Promise<void> {
  const pass = {
    scheduleId: expiryScheduleId(controlTaskQueue),
    workflowType: WORKFLOW_TYPES.recoveryPointExpiry,
    workflowId: `recovery-point-expiry-${controlTaskQueue}`,
    kind: 'RECOVERY_POINT_EXPIRY',
    note: 'Haven: expires recovery points',
  };
  await syncIntervalSchedule(schedules, controlTaskQueue, pass, intervalMinutes);
}
