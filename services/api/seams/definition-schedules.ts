import { organizationWorkflowId } from '../../../lib/common/temporal/names.js';
import type { ScheduledRunInput } from '../../../lib/domain/runs/scheduled-run.js';
import type { RdsRunMode } from '../../../lib/common/enums.js';

/**
 * What Temporal should hold for one definition: one Schedule per policy schedule (each keeps its own
 * retention), all paused with the definition. No entries means no schedules: the definition has no
 * policy, or it was deleted.
 */
export interface DesiredSchedules {
  orgId: string;
  definitionId: string;
  kind: ScheduledRunInput['kind'];
  /** Null for RDS definitions. */
  clusterId: string | null;
  /** IANA zone the cron expressions are read in (the policy's). */
  timeZone: string;
  /** `rdsMode`: what a run of an RDS definition's schedule does (its policy's snapshots, or its copy policy's copies). */
  entries: { cron: string; retentionDays: number; safeLock: boolean; rdsMode?: RdsRunMode }[];
  paused: boolean;
}

/**
 * Schedule ids are `haven-<definition>-<n>`, n counting the policy's schedules from 0, so the schedules
 * of a definition are found without a lookup table and a shorter policy leaves ids to delete at the end.
 */
export function scheduleId(definitionId: string, index: number): string {
  return `haven-${definitionId}-${index}`;
}

export const SCHEDULE_ID_PATTERN = /^haven-([0-9a-f-]{36})-(\d+)$/;

/** Runs a schedule starts are named `<org>:<kind>-<definition>-<time>`: Temporal appends the time. */
export function scheduledWorkflowIdPrefix(desired: Pick<DesiredSchedules, 'orgId' | 'kind' | 'definitionId'>): string {
  return organizationWorkflowId(desired.orgId, `${desired.kind.toLowerCase()}-${desired.definitionId}`);
}
