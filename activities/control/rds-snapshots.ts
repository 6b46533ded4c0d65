import { Context } from '@temporalio/activity';
import { and, desc, eq, sql } from 'drizzle-orm';
import type { RdsDatabaseType } from '../../lib/common/enums.js';
import { withRds } from '../../lib/aws/rds-client.js';
import { RdsError } from '../../lib/aws/rds-errors.js';
import { copiesInProgress, copySnapshot, createSnapshot, deleteSnapshot, describeSnapshot, failedSnapshot, havenTags } from '../../lib/aws/rds-snapshots.js';
import { recoveryPoints } from '../../lib/db/schema/index.js';
import type { StoredRdsSnapshot } from '../../lib/domain/rds/snapshot.js';
import type { ControlDeps } from './deps.js';
import { accountAccess, rdsStep } from './rds-access.js';

/** How often a wait asks AWS again: snapshots take minutes, copies hours; each poll is one Describe call. */
export const DEFAULT_RDS_POLL_INTERVAL_MS = 15_000;

export interface RdsTarget {
  orgId: string;
  cloudAccountId: string;
  region: string;
  databaseType: RdsDatabaseType;
}

export interface RunTags {
  definitionId: string;
  jobId: string;
}

export interface SnapshotMade {
  snapshotIdentifier: string;
  snapshotArn: string;
  engine: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * AWS's side of an RDS backup: each call is one step of the workflow and idempotent, so a retried step
 * (or a worker that died mid-step) repeats safely: a snapshot or copy that already exists under the
 * run's identifier is taken as started.
 */
export function rdsSnapshotActivities(deps: ControlDeps) {
  const pollMs = deps.rdsPollIntervalMs ?? DEFAULT_RDS_POLL_INTERVAL_MS;
  const access = (target: { orgId: string; cloudAccountId: string }) => accountAccess(deps, target.orgId, target.cloudAccountId);

  return {
    /** Why no snapshot can start now (a copy of the database's snapshot is running in `regions`), or null. */
    async rdsCopyInProgress(input: RdsTarget & { databaseIdentifier: string; regions: string[] }): Promise<string | null> {
      const reach = await access(input);
      return rdsStep(async () => {
        for (const region of input.regions) {
          const running = await withRds(reach, region, `listing copies of ${input.databaseIdentifier}`, (rds) => copiesInProgress(rds, input.databaseType, input.databaseIdentifier));
          if (running.length > 0) return `AWS takes no new snapshot of ${input.databaseIdentifier} while snapshot ${running[0]} is being copied (${region})`;
        }
        return null;
      });
    },

    async startRdsSnapshot(input: RdsTarget & RunTags & { databaseIdentifier: string; snapshotIdentifier: string }): Promise<void> {
      const reach = await access(input);
      await rdsStep(() =>
        withRds(reach, input.region, `creating snapshot ${input.snapshotIdentifier} of ${input.databaseIdentifier}`, async (rds) => {
          if (await describeSnapshot(rds, input.databaseType, input.snapshotIdentifier)) return;
          await createSnapshot(rds, input.databaseType, input.databaseIdentifier, input.snapshotIdentifier, havenTags(input));
        }),
      );
    },

    /** Polls until the snapshot (or copy) is available, heartbeating; fails when it fails, RDS_TIMED_OUT at the deadline. */
    async waitRdsSnapshot(input: RdsTarget & { snapshotIdentifier: string; timeoutMinutes: number }): Promise<SnapshotMade> {
      const reach = await access(input);
      const context = Context.current();
      const deadline = Date.now() + input.timeoutMinutes * 60_000;
      return rdsStep(() =>
        withRds(reach, input.region, `waiting for snapshot ${input.snapshotIdentifier}`, async (rds) => {
          for (;;) {
            const state = await describeSnapshot(rds, input.databaseType, input.snapshotIdentifier);
            if (!state) throw new RdsError('RDS_NOT_FOUND', `snapshot ${input.snapshotIdentifier} does not exist in ${input.region}`);
            context.heartbeat({ status: state.status, percent: state.percentProgress });
            if (state.status === 'available') return { snapshotIdentifier: state.identifier, snapshotArn: state.arn, engine: state.engine };
            const failed = failedSnapshot(state);
            if (failed) throw failed;
            if (Date.now() + pollMs > deadline) {
              throw new RdsError('RDS_TIMED_OUT', `snapshot ${input.snapshotIdentifier} was still ${state.status} after ${input.timeoutMinutes} minutes`);
            }
            await Promise.race([sleep(pollMs), context.cancelled]);
          }
        }),
      );
    },

    async startRdsCopy(input: RdsTarget & RunTags & { sourceRegion: string; sourceArn: string; targetIdentifier: string; kmsKeyId: string | null }): Promise<void> {
      const reach = await access(input);
      await rdsStep(() =>
        withRds(reach, input.region, `copying ${input.sourceArn} to ${input.region}`, async (rds) => {
          if (await describeSnapshot(rds, input.databaseType, input.targetIdentifier)) return;
          await copySnapshot(rds, input.databaseType, { sourceArn: input.sourceArn, sourceRegion: input.sourceRegion, targetIdentifier: input.targetIdentifier, kmsKeyId: input.kmsKeyId ?? undefined, tags: havenTags(input) });
        }),
      );
    },

    /** Deletes a snapshot Haven made (the source after its copy, or an expired point's); one already gone is fine. */
    async deleteRdsSnapshot(input: { orgId: string; snapshot: Pick<StoredRdsSnapshot, 'cloudAccountId' | 'region' | 'databaseType' | 'snapshotIdentifier'> }): Promise<'DELETED' | 'ALREADY_GONE'> {
      const { snapshot } = input;
      const reach = await access({ orgId: input.orgId, cloudAccountId: snapshot.cloudAccountId });
      return rdsStep(() => withRds(reach, snapshot.region, `deleting snapshot ${snapshot.snapshotIdentifier}`, (rds) => deleteSnapshot(rds, snapshot.databaseType, snapshot.snapshotIdentifier)));
    },

    /** The newest snapshot of the definition still kept in the database's region: what a COPY_ONLY run copies. */
    async latestRdsSnapshot(input: { orgId: string; definitionId: string; region: string }): Promise<StoredRdsSnapshot | null> {
      const [row] = await deps.db
        .select({ rds: recoveryPoints.rds })
        .from(recoveryPoints)
        .where(
          and(
            eq(recoveryPoints.orgId, input.orgId),
            eq(recoveryPoints.definitionId, input.definitionId),
            eq(recoveryPoints.sourceType, 'awsrds'),
            sql`${recoveryPoints.rds}->>'region' = ${input.region}`,
          ),
        )
        .orderBy(desc(recoveryPoints.createdAt))
        .limit(1);
      return row?.rds ?? null;
    },

    /**
     * Records one awsrds recovery point (expiring after `retentionDays`, judged by the control plane's
     * clock). Idempotent by job and snapshot: a retried step finds the point it recorded.
     */
    async recordRdsRecoveryPoint(input: { orgId: string; jobId: string; definitionId: string; definitionName: string; type: 'SNAPSHOT' | 'COPY'; retentionDays: number; snapshot: StoredRdsSnapshot }): Promise<string> {
      const mine = and(eq(recoveryPoints.orgId, input.orgId), eq(recoveryPoints.jobId, input.jobId), sql`${recoveryPoints.rds}->>'snapshotIdentifier' = ${input.snapshot.snapshotIdentifier}`);
      const [existing] = await deps.db.select({ id: recoveryPoints.id }).from(recoveryPoints).where(mine);
      if (existing) return existing.id;
      const now = (deps.retentionClock ?? deps.clock)();
      const [row] = await deps.db
        .insert(recoveryPoints)
        .values({
          orgId: input.orgId,
          type: input.type,
          sourceType: 'awsrds',
          clusterId: null,
          clusterName: input.snapshot.databaseIdentifier,
          definitionId: input.definitionId,
          definitionName: input.definitionName,
          jobId: input.jobId,
          storageTargetId: null,
          rds: input.snapshot,
          createdAt: now,
          expiresAt: new Date(now.getTime() + input.retentionDays * 86_400_000),
          contents: { namespaces: [], resourceCount: 0, persistentVolumes: [] },
        })
        .returning({ id: recoveryPoints.id });
      return row!.id;
    },
  };
}
