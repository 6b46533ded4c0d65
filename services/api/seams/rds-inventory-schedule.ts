import { WORKFLOW_TYPES } from '../../../lib/domain/runs/workflow-types.js';
import { syncIntervalSchedule } from './interval-schedule.js';
import type { TemporalSchedules } from './temporal-schedules.js';

/** Per installation, like the expiry Schedule, and never matching a definition's schedule id. */
export function rdsInventoryScheduleId(controlTaskQueue: string): string {
  return `haven-rds-inventory-${controlTaskQueue}`;
}

/** Refreshes every cloud account's inventory (HAVEN_RDS_INVENTORY_INTERVAL_MINUTES; DEFAULT_RDS_INVENTORY_INTERVAL_MINUTES, 12 h). */
export async function syncRdsInventorySchedule(schedules: TemporalSchedules, controlTaskQueue: string, intervalMinutes: number): Promise<void> {
  const pass = {
    scheduleId: rdsInventoryScheduleId(controlTaskQueue),
    workflowType: WORKFLOW_TYPES.rdsInventory,
    workflowId: `rds-inventory-${controlTaskQueue}`,
    kind: 'RDS_INVENTORY',
    note: 'Haven: refreshes the RDS inventory of every cloud account',
  };
  await syncIntervalSchedule(schedules, controlTaskQueue, pass, intervalMinutes);
}
