import { ScheduleOverlapPolicy, type ScheduleOptions } from '@temporalio/client';
import { KIND_ATTRIBUTE } from '../../../lib/common/temporal/names.js';
import type { VerificationSettings } from '../../../lib/domain/storage-verification.js';
import { verificationScheduleId, verificationWorkflowIdPrefix, type StorageVerificationInput } from '../../../lib/domain/runs/storage-verification.js';
import { WORKFLOW_TYPES } from '../../../lib/domain/runs/workflow-types.js';
import type { Database } from '../../../lib/db/client.js';
import { storageTargets } from '../../../lib/db/schema/index.js';
import type { TemporalSchedules } from './temporal-schedules.js';

/** Search attribute kind of verification runs, so a person finds them in the Temporal UI. */
export const VERIFICATION_KIND = 'STORAGE_VERIFICATION';

/** What Temporal should hold for one storage target: its verification Schedule, or none (turned off, deleted). */
export interface DesiredVerificationSchedule {
  orgId: string;
  storageTargetId: string;
  /** Undefined once the target is deleted. */
  settings: VerificationSettings | undefined;
}

/**
 * The target's Schedule. It carries references only: each run reads the target's mode and share when it
 * fires, so only a change of cron, zone or on/off rewrites the Schedule.
 */
export function verificationScheduleOptions(desired: DesiredVerificationSchedule & { settings: VerificationSettings }, controlTaskQueue: string): ScheduleOptions {
  const input: StorageVerificationInput = { orgId: desired.orgId, storageTargetId: desired.storageTargetId, trigger: 'SCHEDULE' };
  return {
    scheduleId: verificationScheduleId(desired.storageTargetId),
    spec: { cronExpressions: [desired.settings.cron], timezone: desired.settings.timeZone },
    action: {
      type: 'startWorkflow',
      workflowType: WORKFLOW_TYPES.storageVerification,
      workflowId: verificationWorkflowIdPrefix(desired.orgId, desired.storageTargetId),
      taskQueue: controlTaskQueue,
      args: [input],
      typedSearchAttributes: [{ key: KIND_ATTRIBUTE, value: VERIFICATION_KIND }],
    },
    memo: { orgId: desired.orgId },
    // A verification still reading when the next is due makes that one a no-op.
    policies: { overlap: ScheduleOverlapPolicy.SKIP },
    state: { paused: false, note: 'Haven: verifies the storage target\'s repository' },
  };
}

/**
 * Makes every storage target's verification Schedule match its settings, at start: a target saved while
 * the engine was away (UnavailableWorkflowLauncher) gets its Schedule here, one turned off loses it.
 */
export async function reconcileVerificationSchedules(db: Database, schedules: TemporalSchedules, controlTaskQueue: string): Promise<{ scheduled: number }> {
  let scheduled = 0;
  for (const target of await db.select().from(storageTargets)) {
    if (!target.verification.enabled) {
      await schedules.remove(verificationScheduleId(target.id));
      continue;
    }
    await schedules.put(verificationScheduleOptions({ orgId: target.orgId, storageTargetId: target.id, settings: target.verification }, controlTaskQueue), target.orgId);
    scheduled += 1;
  }
  return { scheduled };
}
