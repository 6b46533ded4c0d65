import { ApplicationFailure, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { ControlActivities } from '../activities/control/index.js';
import { CONTROL } from './activity-profiles.js';
import { backupWorkflow } from './backup.js';
import type { BackupOutcome } from '../lib/domain/runs/backup-run.js';
import { replicationWorkflow } from './replication.js';
import { rdsBackupWorkflow } from './rds-backup.js';
import type { RdsBackupOutcome } from '../lib/domain/rds/backup-spec.js';
import { drillWorkflow } from './drill.js';
import type { DrillOutcome } from '../lib/domain/runs/drill-run.js';
import type { ReplicationOutcome } from '../lib/domain/runs/replication-run.js';
import type { ScheduledRunInput, ScheduledRunOutcome } from '../lib/domain/runs/scheduled-run.js';

export const SCHEDULED_RUN_FAILED = 'SCHEDULED_RUN_FAILED';

/**
 * What a policy's Temporal Schedule starts: decide from the definition as it is now (paused → SKIPPED,
 * cannot run → FAILED with the reason, both on a job), then run the very same steps as "run now".
 * The schedule named this workflow `<kind>-<definition>-<time>` and gave it the search attributes.
 */
export async function scheduledRunWorkflow(input: ScheduledRunInput): Promise<BackupOutcome | ReplicationOutcome | RdsBackupOutcome | DrillOutcome | ScheduledRunOutcome> {
  const control = proxyActivities<ControlActivities>(CONTROL);
  const { workflowId, runId } = workflowInfo();
  const decision = await control.startScheduledRun({ ...input, workflowId, runId });
  // Failed like a failed backup: the Temporal UI then agrees with the job record.
  if (decision.status === 'FAILED') throw ApplicationFailure.nonRetryable(decision.reason, SCHEDULED_RUN_FAILED);
  if (decision.status === 'REPLICATE') return replicationWorkflow(decision.input);
  if (decision.status === 'RDS') return rdsBackupWorkflow(decision.input);
  if (decision.status === 'DRILL') return drillWorkflow(decision.input);
  if (decision.status !== 'RUN') return decision;
  return backupWorkflow(decision.input);
}
