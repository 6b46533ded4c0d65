import { Context } from '@temporalio/activity';
import { withRds } from '../../lib/aws/rds-client.js';
import { RdsError } from '../../lib/aws/rds-errors.js';
import { databaseStatus, describeDatabase, startRestore } from '../../lib/aws/rds-restore.js';
import type { RdsRestoreRunInput } from '../../lib/domain/rds/restore.js';
import type { ControlDeps } from './deps.js';
import { accountAccess, rdsStep } from './rds-access.js';
import { DEFAULT_RDS_POLL_INTERVAL_MS } from './rds-snapshots.js';

/** States a new database does not leave by itself: the restore failed. */
const FAILED_DATABASE_STATES = ['failed', 'incompatible-restore', 'incompatible-parameters', 'incompatible-network', 'inaccessible-encryption-credentials', 'deleting'];

/** The tag naming the job that made a database, as on Haven's snapshots (lib/aws/rds-snapshots.ts havenTags). */
const JOB_TAG = 'haven:job';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** AWS's side of an RDS restore: start it (idempotent by the new database's identifier), then wait for the database. */
export function rdsRestoreActivities(deps: ControlDeps) {
  const pollMs = deps.rdsPollIntervalMs ?? DEFAULT_RDS_POLL_INTERVAL_MS;
  return {
    /** Starts the restore; a database of the target's name made by an earlier attempt of this run is taken as started. */
    async startRdsRestore(input: RdsRestoreRunInput): Promise<void> {
      const reach = await accountAccess(deps, input.orgId, input.cloudAccountId);
      const { target } = input;
      await rdsStep(() =>
        withRds(reach, input.region, `restoring into ${target.identifier} in ${input.region}`, async (rds) => {
          const existing = await describeDatabase(rds, input.databaseType, target.identifier);
          // Only this run's own database (tagged with its job when an earlier attempt started it) counts as started.
          if (existing?.tags.some((tag) => tag.Key === JOB_TAG && tag.Value === input.jobId)) return;
          if (existing) throw new RdsError('RDS_REQUEST_REFUSED', `a database named ${target.identifier} already exists in ${input.region}: a restore never overwrites one, choose another identifier`);
          const source =
            input.source.kind === 'SNAPSHOT'
              ? { kind: 'SNAPSHOT' as const, snapshotIdentifier: input.source.snapshotIdentifier, engine: input.source.engine }
              : { kind: 'POINT_IN_TIME' as const, sourceIdentifier: input.source.sourceIdentifier, restoreTime: input.source.restoreTime ?? undefined };
          await startRestore(
            rds,
            input.databaseType,
            source,
            {
              targetIdentifier: target.identifier,
              instanceClass: target.instanceClass ?? undefined,
              subnetGroupName: target.subnetGroupName ?? undefined,
              securityGroupIds: target.securityGroupIds,
              parameterGroupName: target.parameterGroupName ?? undefined,
            },
            [{ Key: JOB_TAG, Value: input.jobId }],
          );
        }),
      );
    },

    /** Polls until the new database is available, heartbeating. */
    async waitRdsDatabase(input: Pick<RdsRestoreRunInput, 'orgId' | 'cloudAccountId' | 'region' | 'databaseType' | 'waitTimeoutMinutes'> & { identifier: string }): Promise<void> {
      const reach = await accountAccess(deps, input.orgId, input.cloudAccountId);
      const context = Context.current();
      const deadline = Date.now() + input.waitTimeoutMinutes * 60_000;
      await rdsStep(() =>
        withRds(reach, input.region, `waiting for database ${input.identifier}`, async (rds) => {
          for (;;) {
            const status = await databaseStatus(rds, input.databaseType, input.identifier);
            if (!status) throw new RdsError('RDS_NOT_FOUND', `database ${input.identifier} does not exist in ${input.region}`);
            context.heartbeat({ status });
            if (status === 'available') return;
            if (FAILED_DATABASE_STATES.includes(status)) throw new RdsError('RDS_INVALID_STATE', `database ${input.identifier} is ${status}`);
            if (Date.now() + pollMs > deadline) throw new RdsError('RDS_TIMED_OUT', `database ${input.identifier} was still ${status} after ${input.waitTimeoutMinutes} minutes`);
            await Promise.race([sleep(pollMs), context.cancelled]);
          }
        }),
      );
    },
  };
}
