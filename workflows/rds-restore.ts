import { ApplicationFailure, CancellationScope, isCancellation, proxyActivities } from '@temporalio/workflow';
import type { ControlActivities } from '../activities/control/index.js';
import { CONTROL, RDS_CALL, rdsWait } from './activity-profiles.js';
import { rootCauseMessage } from './failure-message.js';
import type { RdsRestoreOutcome, RdsRestoreRunInput } from '../lib/domain/rds/restore.js';

export const RDS_RESTORE_FAILED = 'RDS_RESTORE_FAILED';

/**
 * One RDS restore into a new instance or cluster. Steps: start the restore (from the recovery point's
 * snapshot, or the source database at a point in time) → wait until AWS has the new database available
 * → record the job. A cancelled run leaves what AWS already made: a half-made database is the user's
 * to keep or delete, and the job says so.
 */
export async function rdsRestoreWorkflow(input: RdsRestoreRunInput): Promise<RdsRestoreOutcome> {
  const control = proxyActivities<ControlActivities>(CONTROL);
  const aws = proxyActivities<ControlActivities>(RDS_CALL);
  const wait = proxyActivities<ControlActivities>(rdsWait(input.waitTimeoutMinutes));
  const job = { orgId: input.orgId, jobId: input.jobId };
  const what = input.source.kind === 'SNAPSHOT' ? `snapshot ${input.source.snapshotIdentifier}` : `${input.source.sourceIdentifier} at ${input.source.restoreTime ?? 'its latest restorable time'}`;
  const target = input.target.identifier;
  try {
    await control.updateJobStep({ ...job, step: `Restoring ${what} into ${target} in ${input.region}` });
    await aws.startRdsRestore(input);
    await control.updateJobStep({ ...job, step: `Waiting for ${target} to be available` });
    await wait.waitRdsDatabase({ ...input, identifier: target });
    await control.finishJob({ ...job, status: 'COMPLETED', message: `Restored ${what} into ${target} in ${input.region}` });
    return { status: 'COMPLETED', databaseIdentifier: target, arn: '' };
  } catch (error) {
    const cancelled = isCancellation(error);
    const reason = cancelled ? `the run was cancelled; ${target} may exist in ${input.region} if AWS had started it` : rootCauseMessage(error);
    await CancellationScope.nonCancellable(() =>
      control.finishJob({ ...job, status: cancelled ? 'CANCELLED' : 'FAILED', message: `Restore of ${what} into ${target} ${cancelled ? 'cancelled' : 'failed'}: ${reason}`, errors: [{ resource: `RDS ${target}`, message: reason }] }),
    );
    if (cancelled) throw error;
    throw ApplicationFailure.nonRetryable(reason, RDS_RESTORE_FAILED);
  }
}
