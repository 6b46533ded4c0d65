import { ScheduleOverlapPolicy } from '@temporalio/client';
import { KIND_ATTRIBUTE } from '../../../lib/common/temporal/names.js';
import type { recoveryPointExpiryWorkflow } from '../../../workflows/recovery-point-expiry.js';
import { WORKFLOW_TYPES } from '../../../lib/domain/runs/workflow-types.js';
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

/**
 * Makes Temporal hold the expiry Schedule at this interval (or none for 0). A pass still running when
 * the next is due (no worker polling; GC runs in a workflow of its own, not waited for) makes that one a
 * no-op: passes never pile up.
 */
export async function syncExpirySchedule(schedules: TemporalSchedules, controlTaskQueue: string, intervalMinutes: number): Promise<void> {
  const scheduleId = expiryScheduleId(controlTaskQueue);
  if (intervalMinutes <= 0) {
    await schedules.remove(scheduleId);
    return;
  }
  await schedules.put({
    scheduleId,
    spec: { intervals: [{ every: `${intervalMinutes}m` }] },
    action: {
      type: 'startWorkflow',
      workflowType: WORKFLOW_TYPES.recoveryPointExpiry,
      workflowId: `recovery-point-expiry-${controlTaskQueue}`,
      taskQueue: controlTaskQueue,
      args: [{}] satisfies Parameters<typeof recoveryPointExpiryWorkflow>,
      typedSearchAttributes: [{ key: KIND_ATTRIBUTE, value: 'RECOVERY_POINT_EXPIRY' }],
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP },
    state: { paused: false, note: 'Haven: expires recovery points' },
  });
}
