import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobs, recoveryPoints } from '../../lib/db/schema/index.js';
import {
  DELETION_BACKOFF_BASE_MS,
  DELETION_BACKOFF_MAX_MS,
  deletionRetryDelayMs,
  recoveryPointDeletionWorkflowId,
  type RecoveryPointDeletionOutcome,
} from '../../lib/domain/runs/recovery-point-deletion.js';
import type { deleteRecoveryPointWorkflow } from '../../workflows/recovery-point-delete.js';
import { createS3Target, expectStatus } from '../api/helpers/fixtures.js';
import { authorized, type Client } from '../api/helpers/test-api.js';
import { startBackupStack, type BackupStack } from '../backup/helpers/backup-stack.js';
import { createStackS3Target } from '../backup/helpers/stack-target.js';
import { s3Server } from '../support/s3-servers.js';
import { uniqueName } from '../support/stack-env.js';
import { DAY_MS, deletionJob, pointById, runExpiryPass, type PointRow } from './helpers.js';

let stack: BackupStack;
let targetA: string;
/** Another organization on the same installation, with its own admin. */
let orgB: { orgId: string; admin: Client; targetId: string };
const roles: Partial<Record<'operator' | 'viewer', Client>> = {};
/** Every point here expired around this instant; passes run a day later. */
const expiredAt = new Date(Date.UTC(2031, 0, 1));
const MINUTE = 60_000;

beforeAll(async () => {
  stack = await startBackupStack();
  targetA = await createStackS3Target(stack, 'stuck-a');
  const other = await stack.api.createOrganization('other');
  const admin = authorized(stack.api.app, other.keys.admin);
  const server = s3Server('versitygw');
  const target = await createS3Target(admin, {
    endpoint: server.endpoint,
    region: server.region,
    bucket: server.bucket,
    pathStyle: true,
    prefix: `tests/${uniqueName('stuck-b')}`,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
  });
  orgB = { orgId: other.orgId, admin, targetId: target.id };
  for (const role of ['operator', 'viewer'] as const) {
    roles[role] = authorized(stack.api.app, expectStatus<{ key: string }>(await stack.client.post('/api-keys', { name: role, role }), 201).key);
  }
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

/**
 * A snapshot-only point whose cluster was removed from Haven: no agent can ever delete its kept snapshot,
 * so every deletion of it fails until an admin releases it.
 */
async function strandedPoint(expiresAt: Date, values: Partial<typeof recoveryPoints.$inferInsert> = {}): Promise<PointRow> {
  const name = uniqueName('snap');
  const [row] = await stack.api.running.database.db
    .insert(recoveryPoints)
    .values({
      orgId: stack.orgId,
      type: 'SNAPSHOT',
      clusterId: null,
      clusterName: 'decommissioned',
      definitionName: 'nightly',
      storageTargetId: targetA,
      createdAt: new Date(expiresAt.getTime() - 3 * DAY_MS),
      expiresAt,
      contents: {
        namespaces: ['shop'],
        resourceCount: 3,
        persistentVolumes: [
          {
            namespace: 'shop',
            claim: 'data',
            storageClass: 'csi-hostpath',
            sizeBytes: 1024,
            method: 'SNAPSHOT',
            snapshotName: name,
            snapshotContentName: `snapcontent-${name}`,
            snapshotHandle: `handle-${name}`,
          },
        ],
      },
      ...values,
    })
    .returning();
  return row as PointRow;
}

/** Org B's expired point: nothing in a cluster and nothing in the repository, so its deletion only needs its turn. */
async function deletablePointOfB(expiresAt: Date): Promise<PointRow> {
  const [row] = await stack.api.running.database.db
    .insert(recoveryPoints)
    .values({ orgId: orgB.orgId, type: 'COPY', clusterName: 'b', definitionName: 'b-nightly', storageTargetId: orgB.targetId, createdAt: new Date(expiresAt.getTime() - DAY_MS), expiresAt, contents: { namespaces: ['b'], resourceCount: 1, persistentVolumes: [] } })
    .returning();
  return row as PointRow;
}

const deletionJobsOf = async (point: PointRow) =>
  stack.api.running.database.db
    .select()
    .from(jobs)
    .where(and(eq(jobs.kind, 'RECOVERY_POINT_DELETE'), eq(jobs.workflowId, recoveryPointDeletionWorkflowId(point.orgId, point.id))));

const at = (ms: number) => new Date(ms).toISOString();

describe('an expiry pass with points that cannot be deleted', () => {
  let stranded: PointRow[];
  let pointOfB: PointRow;
  const pass1 = expiredAt.getTime() + DAY_MS;

  beforeAll(async () => {
    // Org A's stuck points are older than org B's, so "oldest first" alone would fill the batch with them.
    stranded = [];
    for (let i = 0; i < 3; i++) stranded.push(await strandedPoint(new Date(expiredAt.getTime() - (3 - i) * MINUTE)));
    pointOfB = await deletablePointOfB(expiredAt);
  });

  it('deletes another organization\'s expired point in the same pass: organizations take turns in the batch', async () => {
    const outcome = await runExpiryPass(stack, { now: at(pass1), batch: 3 });
    expect(outcome.deleted).toEqual([pointOfB.id]);
    expect(await pointById(stack, pointOfB.id)).toBeUndefined();
    expect((await deletionJobsOf(pointOfB)).map((j) => j.status)).toEqual(['COMPLETED']);
    expect(outcome.failed.map((f) => f.recoveryPointId).sort()).toEqual([stranded[0]!.id, stranded[1]!.id].sort());
    expect(outcome.failed[0]?.reason).toContain('was removed from Haven');
  });

  it('backs each failed point off: its retry instant is on the row, and the pass reports it', async () => {
    const outcome = await runExpiryPass(stack, { now: at(pass1 + MINUTE), batch: 10 });
    // The two that failed a minute ago wait; only the one the first batch had no room for is tried.
    expect(outcome.failed.map((f) => f.recoveryPointId)).toEqual([stranded[2]!.id]);
    const first = (await pointById(stack, stranded[0]!.id))!;
    expect(first.deletionAttempts).toBe(1);
    expect(first.deletionRetryAt?.toISOString()).toBe(at(pass1 + DELETION_BACKOFF_BASE_MS));
    expect(outcome.failed[0]?.retryAt).toBe(at(pass1 + MINUTE + DELETION_BACKOFF_BASE_MS));
  });

  it('retries a point once its backoff has passed, and doubles the wait after each failure, up to a cap', async () => {
    const pass3 = pass1 + DELETION_BACKOFF_BASE_MS + MINUTE / 2;
    const outcome = await runExpiryPass(stack, { now: at(pass3), batch: 10 });
    expect(outcome.failed.map((f) => f.recoveryPointId).sort()).toEqual([stranded[0]!.id, stranded[1]!.id].sort());
    const first = (await pointById(stack, stranded[0]!.id))!;
    expect(first.deletionAttempts).toBe(2);
    expect(first.deletionRetryAt!.getTime() - pass3).toBe(2 * DELETION_BACKOFF_BASE_MS);

    // One base period later only the point on its first backoff comes back; the twice-failed ones wait twice as long.
    const later = await runExpiryPass(stack, { now: at(pass3 + DELETION_BACKOFF_BASE_MS + MINUTE), batch: 10 });
    expect(later.failed.map((f) => f.recoveryPointId)).toEqual([stranded[2]!.id]);
    expect(deletionRetryDelayMs(3)).toBe(4 * DELETION_BACKOFF_BASE_MS);
    expect(deletionRetryDelayMs(50)).toBe(DELETION_BACKOFF_MAX_MS);
  });

  it('keeps one deletion job per point across passes: FAILED, saying which attempt failed and when it is retried', async () => {
    const recorded = await deletionJobsOf(stranded[0]!);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]!.status).toBe('FAILED');
    expect(recorded[0]!.message).toContain('was removed from Haven');
    const { deletionRetryAt } = (await pointById(stack, stranded[0]!.id))!;
    expect(recorded[0]!.message).toContain(`retried after ${deletionRetryAt!.toISOString()} (attempt 2 failed)`);
  });

  describe('POST /recovery-points/{id}/actions/release', () => {
    const release = (client: Client, point: PointRow) => client.post(`/recovery-points/${point.id}/actions/release`);

    it('is refused to operators and viewers (403), and is 404 for another organization\'s admin; the point stays', async () => {
      for (const client of [roles.operator!, roles.viewer!]) expect(expectStatus<{ code: string }>(await release(client, stranded[0]!), 403).code).toBe('forbidden');
      expect(expectStatus<{ code: string }>(await release(orgB.admin, stranded[0]!), 404).code).toBe('not-found');
      expect(await pointById(stack, stranded[0]!.id)).toBeDefined();
    });

    it('removes the point for an admin and lists its kept snapshot, on the answer and on the point\'s one job (PARTIAL)', async () => {
      const point = stranded[0]!;
      const answer = expectStatus<{ workflowId: string; keptSnapshots: Record<string, string>[] }>(await release(stack.client, point), 202);
      const kept = (point.contents.persistentVolumes[0]!);
      expect(answer.keptSnapshots).toEqual([{ namespace: 'shop', snapshotName: kept.snapshotName, contentName: kept.snapshotContentName, snapshotHandle: kept.snapshotHandle }]);
      expect(answer.workflowId).toBe(recoveryPointDeletionWorkflowId(stack.orgId, point.id));
      const outcome = (await stack.temporal.workflow.getHandle(answer.workflowId).result()) as RecoveryPointDeletionOutcome;
      expect(outcome.status).toBe('RELEASED');

      expect(await pointById(stack, point.id)).toBeUndefined();
      expectStatus(await stack.client.get(`/recovery-points/${point.id}`), 404);
      expect(await deletionJobsOf(point)).toHaveLength(1);
      const job = await deletionJob(stack, answer.workflowId);
      expect(job.status).toBe('PARTIAL');
      expect(job.message).toContain('1 kept snapshots stay in cluster decommissioned');
      expect(job.errors).toEqual([expect.objectContaining({ resource: `VolumeSnapshot shop/${kept.snapshotName}` })]);
      expect(job.errors[0]!.message).toContain(`handle ${kept.snapshotHandle}`);
    });

    it('never shortens a SafeLock: a locked point is 409 locked, and the workflow itself refuses to release it', async () => {
      const lockedUntil = new Date(Date.now() + 10 * DAY_MS);
      const locked = await strandedPoint(new Date(lockedUntil.getTime()), { lockedUntil });
      expect(expectStatus<{ code: string }>(await release(stack.client, locked), 409).code).toBe('locked');
      const outcome = await stack.temporal.workflow.execute<typeof deleteRecoveryPointWorkflow>('deleteRecoveryPointWorkflow', {
        taskQueue: stack.api.config.workflowEngine!.controlTaskQueue,
        workflowId: recoveryPointDeletionWorkflowId(stack.orgId, locked.id),
        args: [{ orgId: stack.orgId, recoveryPointId: locked.id, scope: 'RELEASE', cause: 'RELEASED' }],
      });
      expect(outcome.status).toBe('LOCKED');
      expect(await pointById(stack, locked.id)).toBeDefined();
    });
  });
});
