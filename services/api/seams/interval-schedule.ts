import { ScheduleOverlapPolicy } from '@temporalio/client';
import { KIND_ATTRIBUTE } from '../../../lib/common/temporal/names.js';
import type { TemporalSchedules } from './temporal-schedules.js';

/** One of the installation's own periodic passes (expiry, leftover sweep), as its Schedule runs it. */
export interface IntervalPass {
  scheduleId: string;
  workflowType: string;
  workflowId: string;
  kind: string;
  note: string;
}

/**
 * Makes Temporal hold the pass's Schedule at this interval (or none for 0). A pass still running when
 * the next is due makes that one a no-op: passes never pile up.
 */
export async function syncIntervalSchedule(schedules: TemporalSchedules, controlTaskQueue: string, pass: IntervalPass, intervalMinutes: number): Promise<void> {
  if (intervalMinutes <= 0) {
    await schedules.remove(pass.scheduleId);
    return;
  }
  await schedules.put({
    scheduleId: pass.scheduleId,
    spec: { intervals: [{ every: `${intervalMinutes}m` }] },
    action: {
      type: 'startWorkflow',
      workflowType: pass.workflowType,
      workflowId: pass.workflowId,
      taskQueue: controlTaskQueue,
      args: [{}],
      typedSearchAttributes: [{ key: KIND_ATTRIBUTE, value: pass.kind }],
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP },
    state: { paused: false, note: pass.note },
  });
}

/** Reads a pass's interval from the environment: a whole number of minutes, 0 turning it off. */
export function intervalMinutes(env: NodeJS.ProcessEnv, variable: string, fallback: number, onInvalid: (message: string) => Error): number {
  const raw = env[variable];
  const minutes = raw ? Number(raw) : fallback;
  if (!Number.isInteger(minutes) || minutes < 0) throw onInvalid(`${variable} "${raw}" is not a whole number of minutes (0 turns it off)`);
  return minutes;
}
