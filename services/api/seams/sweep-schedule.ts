import { WORKFLOW_TYPES } from '../../../lib/domain/runs/workflow-types.js';
import { syncIntervalSchedule } from './interval-schedule.js';
import type { TemporalSchedules } from './temporal-schedules.js';

/** How often jobs whose workflow is gone are ended and clusters swept of ended runs' objects (HAVEN_SWEEP_INTERVAL_MINUTES); 0 turns it off. */
export const DEFAULT_SWEEP_INTERVAL_MINUTES = 10;

/** Per installation, like the expiry Schedule (expiry-schedule.ts), and never matching a definition's schedule id. */
export function sweepScheduleId(controlTaskQueue: string): string {
  return `haven-leftover-sweep-${controlTaskQueue}`;
}

/** The pass only starts the clusters' sweeps (each waits for its agent in a workflow of its own), so it is short. */
export async function syncSweepSchedule(schedules: TemporalSchedules, controlTaskQueue: string, intervalMinutes: number): Promise<void> {
  const pass = {
    scheduleId: sweepScheduleId(controlTaskQueue),
    workflowType: WORKFLOW_TYPES.leftoverSweep,
    workflowId: `leftover-sweep-${controlTaskQueue}`,
    kind: 'LEFTOVER_SWEEP',
    note: 'Haven: ends jobs whose workflow is gone and sweeps what ended runs left in clusters',
  };
  await syncIntervalSchedule(schedules, controlTaskQueue, pass, intervalMinutes);
}
