import { ApplicationFailure, CancellationScope, isCancellation, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { ControlActivities } from '../activities/control/index.js';
import type { SnapshotMade } from '../activities/control/rds-snapshots.js';
import { CONTROL, RDS_CALL, rdsWait } from './activity-profiles.js';
import { failureType, rootCauseMessage } from './failure-message.js';
import { snapshotIdentifier, type RdsBackupOutcome, type RdsBackupRunInput } from '../lib/domain/rds/backup-spec.js';
import type { StoredRdsSnapshot } from '../lib/domain/rds/snapshot.js';

export const RDS_BACKUP_FAILED = 'RDS_BACKUP_FAILED';
/** AWS's rule: no new snapshot of a database while a copy of one of its snapshots runs. */
const COPY_IN_PROGRESS = 'RDS_COPY_IN_PROGRESS';

/**
 * One RDS backup run. Steps: skip while a copy of the database's snapshot runs (AWS refuses a new
 * snapshot then: SKIPPED with why) → create the snapshot → wait until AWS has it available → copy it to
 * the copy region and wait for the copy → delete the source snapshot if asked → record a recovery point
 * (source type awsrds) for each snapshot kept. COPY_ONLY copies the newest snapshot already kept.
 * A snapshot made by this run and not yet recorded is deleted again if the run fails or is cancelled, so
 * nothing Haven made is left in the account unaccounted for.
 */
export async function rdsBackupWorkflow(input: RdsBackupRunInput): Promise<RdsBackupOutcome> {
  const control = proxyActivities<ControlActivities>(CONTROL);
  const aws = proxyActivities<ControlActivities>(RDS_CALL);
  const wait = proxyActivities<ControlActivities>(rdsWait(input.snapshotTimeoutMinutes));
  const job = { orgId: input.orgId, jobId: input.jobId };
  const tags = { definitionId: input.definitionId, jobId: input.jobId };
  const source = { orgId: input.orgId, cloudAccountId: input.cloudAccountId, region: input.region, databaseType: input.databaseType };
  const at = workflowInfo().startTime.toISOString();
  const unrecorded: StoredRdsSnapshot[] = [];
  const stored = (region: string, made: SnapshotMade, extra: Partial<StoredRdsSnapshot> = {}): StoredRdsSnapshot => ({
    cloudAccountId: input.cloudAccountId,
    region,
    databaseType: input.databaseType,
    databaseIdentifier: input.databaseIdentifier,
    ...made,
    ...extra,
  });

  try {
    let snapshot: StoredRdsSnapshot;
    if (input.mode === 'COPY_ONLY') {
      const latest = await control.latestRdsSnapshot({ orgId: input.orgId, definitionId: input.definitionId, region: input.region });
      if (!latest) throw ApplicationFailure.nonRetryable(`no snapshot of ${input.databaseIdentifier} is kept in ${input.region} to copy: run a snapshot first`, 'RDS_NOTHING_TO_COPY');
      snapshot = latest;
    } else {
      const regions = [input.region, ...(input.copy ? [input.copy.region] : [])];
      const busy = await aws.rdsCopyInProgress({ ...source, databaseIdentifier: input.databaseIdentifier, regions });
      if (busy) return await skip(busy);
      const identifier = snapshotIdentifier(input.databaseIdentifier, at);
      await control.updateJobStep({ ...job, step: `Creating snapshot ${identifier} of ${input.databaseIdentifier} in ${input.region}` });
      await aws.startRdsSnapshot({ ...source, ...tags, databaseIdentifier: input.databaseIdentifier, snapshotIdentifier: identifier });
      unrecorded.push(stored(input.region, { snapshotIdentifier: identifier, snapshotArn: '', engine: '' }));
      await control.updateJobStep({ ...job, step: `Waiting for snapshot ${identifier} to be available` });
      snapshot = stored(input.region, await wait.waitRdsSnapshot({ ...source, snapshotIdentifier: identifier, timeoutMinutes: input.snapshotTimeoutMinutes }));
    }

    const points: string[] = [];
    const record = async (type: 'SNAPSHOT' | 'COPY', what: StoredRdsSnapshot, retentionDays: number) => {
      points.push(await control.recordRdsRecoveryPoint({ orgId: input.orgId, jobId: input.jobId, definitionId: input.definitionId, definitionName: input.definitionName, type, retentionDays, snapshot: what }));
      unrecorded.splice(unrecorded.findIndex((s) => s.snapshotIdentifier === what.snapshotIdentifier && s.region === what.region), 1);
    };
    const fresh = input.mode !== 'COPY_ONLY';
    if (input.copy) {
      const copy = input.copy;
      const target = { ...source, region: copy.region };
      const copyIdentifier = snapshotIdentifier(input.databaseIdentifier, at, '-copy');
      await control.updateJobStep({ ...job, step: `Copying snapshot ${snapshot.snapshotIdentifier} to ${copy.region} as ${copyIdentifier}` });
      await aws.startRdsCopy({ ...target, ...tags, sourceRegion: input.region, sourceArn: snapshot.snapshotArn, targetIdentifier: copyIdentifier, kmsKeyId: copy.kmsKeyId });
      unrecorded.push(stored(copy.region, { snapshotIdentifier: copyIdentifier, snapshotArn: '', engine: snapshot.engine }));
      await control.updateJobStep({ ...job, step: `Waiting for copy ${copyIdentifier} in ${copy.region}` });
      const copied = await wait.waitRdsSnapshot({ ...target, snapshotIdentifier: copyIdentifier, timeoutMinutes: input.snapshotTimeoutMinutes });
      const copyRecord = stored(copy.region, copied, {
        copiedFrom: { region: input.region, snapshotIdentifier: snapshot.snapshotIdentifier },
        ...(copy.kmsKeyId ? { kmsKeyId: copy.kmsKeyId } : {}),
      });
      if (fresh && copy.removeSource) {
        await control.updateJobStep({ ...job, step: `Deleting source snapshot ${snapshot.snapshotIdentifier} (its copy is available)` });
        await aws.deleteRdsSnapshot({ orgId: input.orgId, snapshot });
        unrecorded.splice(unrecorded.findIndex((s) => s.region === input.region), 1);
      } else if (fresh) {
        await record('SNAPSHOT', snapshot, input.retentionDays);
      }
      await record('COPY', copyRecord, copy.retentionDays);
    } else {
      await record('SNAPSHOT', snapshot, input.retentionDays);
    }
    const copied = input.copy ? `, copied to ${input.copy.region}` : '';
    await control.finishJob({ ...job, status: 'COMPLETED', message: `Snapshot ${snapshot.snapshotIdentifier} of ${input.databaseIdentifier}${copied}: ${points.length} recovery points` });
    return { status: 'COMPLETED', recoveryPointIds: points };
  } catch (error) {
    if (!isCancellation(error) && failureType(error) === COPY_IN_PROGRESS) return await skip(rootCauseMessage(error));
    const cancelled = isCancellation(error);
    const reason = cancelled ? 'the run was cancelled' : rootCauseMessage(error);
    await CancellationScope.nonCancellable(async () => {
      const left = await removeUnrecorded(aws, input.orgId, unrecorded);
      await control.finishJob({ ...job, status: cancelled ? 'CANCELLED' : 'FAILED', message: `RDS backup of ${input.databaseIdentifier} ${cancelled ? 'cancelled' : 'failed'}: ${reason}${left}`, errors: [{ resource: `RDS ${input.databaseIdentifier}`, message: reason }] });
    });
    if (cancelled) throw error;
    throw ApplicationFailure.nonRetryable(reason, RDS_BACKUP_FAILED);
  }

  async function skip(reason: string): Promise<RdsBackupOutcome> {
    await control.finishJob({ ...job, status: 'SKIPPED', skipReason: reason, message: `Skipped: ${reason}` });
    return { status: 'SKIPPED', reason };
  }
}

/** Best effort: a failing delete is named on the job (to delete by hand), never masks why the run failed. */
async function removeUnrecorded(aws: Pick<ControlActivities, 'deleteRdsSnapshot'>, orgId: string, snapshots: StoredRdsSnapshot[]): Promise<string> {
  const left: string[] = [];
  for (const snapshot of [...snapshots].reverse()) {
    try {
      await aws.deleteRdsSnapshot({ orgId, snapshot });
    } catch {
      left.push(`${snapshot.snapshotIdentifier} (${snapshot.region})`);
    }
  }
  return left.length > 0 ? `; snapshots left in AWS to delete by hand: ${left.join(', ')}` : '';
}
