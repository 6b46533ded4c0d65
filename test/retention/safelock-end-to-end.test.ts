import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand, GetObjectRetentionCommand, ListObjectVersionsCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPOSITORY_FOLDER } from '../../activities/control/repository-access.js';
import type { CopiedVolume } from '../../proto/mover/index.js';
import { HEADER_KEY, snapshotKey } from '../../lib/datamover/repository/layout.js';
import { runRestore } from '../../lib/datamover/restore/restore.js';
import { recoveryPointDeletionWorkflowId } from '../../lib/domain/runs/recovery-point-deletion.js';
import { scheduleId } from '../../services/api/seams/definition-schedules.js';
import { createBackupDefinition, createPolicy, createS3Target, expectStatus } from '../api/helpers/fixtures.js';
import type { BackupStack } from '../backup/helpers/backup-stack.js';
import { deployEmulatedApp, type EmulatedApp } from '../backup/helpers/emulated-app.js';
import { openTargetRepository } from '../backup/helpers/run-repository.js';
import { jobAfterRun, runNow, type JobView } from '../backup/helpers/runs.js';
import { eventually } from '../emulator/helpers/cluster.js';
import { volumeDigest } from '../fixtures/volume-digest.js';
import { stackEnv, uniqueName } from '../support/stack-env.js';
import { DAY_MS, deletionJob, pointById, pointOfJob, runExpiryPass, startRetentionStack, type PointRow, type RetentionStack } from './helpers.js';

/**
 * SafeLock through the product: a policy whose schedule has SafeLock, its run started by the Temporal
 * Schedule, the recovery point it records, the objects in S3, and every way of deleting it early.
 */
let retention: RetentionStack;
let stack: BackupStack;
let app: EmulatedApp;
let storageTargetId: string;
let prefix: string;
let definitionId: string;
let job: JobView;
let point: PointRow;
let scratch: string;
const s3 = new S3Client({
  endpoint: stackEnv('S3_ENDPOINT'),
  region: stackEnv('S3_REGION'),
  forcePathStyle: true,
  credentials: { accessKeyId: stackEnv('S3_ACCESS_KEY_ID'), secretAccessKey: stackEnv('S3_SECRET_ACCESS_KEY') },
});
const Bucket = stackEnv('S3_BUCKET');

const pointSnapshots = (row: PointRow) => {
  const contents = row.contents as unknown as { resourcesSnapshotId: string; persistentVolumes: CopiedVolume[] };
  return [contents.resourcesSnapshotId, ...contents.persistentVolumes.map((v) => v.copySnapshotId)];
};

beforeAll(async () => {
  retention = await startRetentionStack('safelock-e2e-unused');
  stack = retention.stack;
  const name = uniqueName('safelock-e2e');
  prefix = `tests/${name}`;
  storageTargetId = (
    await createS3Target(stack.client, {
      endpoint: stackEnv('S3_ENDPOINT'),
      region: stackEnv('S3_REGION'),
      bucket: Bucket,
      pathStyle: true,
      prefix,
      objectLockCapable: true,
      credentials: { accessKeyId: stackEnv('S3_ACCESS_KEY_ID'), secretAccessKey: stackEnv('S3_SECRET_ACCESS_KEY') },
    })
  ).id;
  app = await deployEmulatedApp(retention.cluster, { label: 'locked' });
  const policyId = (await createPolicy(stack.client, { schedules: [{ cron: '0 3 * * *', retentionDays: 2, safeLock: true }] })).id;
  definitionId = (
    await createBackupDefinition(stack.client, retention.clusterId, {
      selection: { scope: 'SELECTED_NAMESPACES', namespaces: [app.namespace] },
      persistentVolumes: { mode: 'BACKUP_TO_OBJECT_STORAGE' },
      advanced: { destinationStorageTargetId: storageTargetId },
      policyId,
    })
  ).id;
  // An unlocked run first: the SafeLock run then deduplicates nearly everything against its objects.
  const unlocked = await jobAfterRun(stack.client, stack.temporal, await runNow(stack.client, definitionId, { retentionDays: 1 }));
  if (unlocked.status !== 'COMPLETED') throw new Error(`unlocked backup ${unlocked.status}: ${unlocked.message}`);

  const before = expectStatus<{ items: JobView[] }>(await stack.client.get(`/jobs?definitionId=${definitionId}&limit=50`), 200).items.map((j) => j.id);
  await stack.temporal.schedule.getHandle(scheduleId(definitionId, 0)).trigger();
  const started = await eventually(
    async () => expectStatus<{ items: JobView[] }>(await stack.client.get(`/jobs?definitionId=${definitionId}&limit=50`), 200).items.find((j) => !before.includes(j.id)),
    'the scheduled SafeLock run to record its job',
  );
  job = await jobAfterRun(stack.client, stack.temporal, started);
  point = await pointOfJob(stack, job.id);
  scratch = await mkdtemp(join(tmpdir(), 'haven-safelock-e2e-'));
}, 480_000);

afterAll(async () => {
  s3.destroy();
  // Its Temporal Schedule goes with it: the namespace is shared, and other files list every schedule there.
  if (definitionId) await stack.client.delete(`/backup-definitions/${definitionId}`);
  await retention?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('a SafeLock schedule run through the product', () => {
  it('records a point locked until its expiry, two days on, as the API shows it', async () => {
    expect(job.status, job.message).toBe('COMPLETED');
    expect(point.lockedUntil).not.toBeNull();
    expect(point.lockedUntil!.getTime()).toBe(point.expiresAt.getTime());
    expect(point.expiresAt.getTime() - point.createdAt.getTime()).toBeGreaterThan(2 * DAY_MS - 60_000);
    const view = expectStatus<{ safeLock: { locked: boolean; lockedUntil: string } }>(await stack.client.get(`/recovery-points/${point.id}`), 200);
    expect(view.safeLock).toEqual({ locked: true, lockedUntil: point.lockedUntil!.toISOString() });
  });

  it('has its header and snapshot objects locked in S3 (COMPLIANCE) until at least that date', async () => {
    const keys = [HEADER_KEY, ...pointSnapshots(point).map(snapshotKey)];
    for (const key of keys) {
      const retention = await s3.send(new GetObjectRetentionCommand({ Bucket, Key: `${prefix}/${REPOSITORY_FOLDER}/${key}` }));
      expect(retention.Retention?.Mode, key).toBe('COMPLIANCE');
      expect(retention.Retention!.RetainUntilDate!.getTime(), key).toBeGreaterThanOrEqual(point.lockedUntil!.getTime());
    }
  });

  it('refuses early deletion through the API (409) and in the deletion workflow', async () => {
    const refused = await stack.client.delete(`/recovery-points/${point.id}`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().detail).toContain('SafeLocked until');

    const outcome = await stack.temporal.workflow.execute('deleteRecoveryPointWorkflow', {
      taskQueue: stack.api.config.workflowEngine!.controlTaskQueue,
      workflowId: recoveryPointDeletionWorkflowId(stack.orgId, point.id),
      args: [{ orgId: stack.orgId, recoveryPointId: point.id, scope: 'ALL', cause: 'REQUESTED' }],
    });
    expect(outcome).toMatchObject({ status: 'LOCKED' });
    expect((await deletionJob(stack, recoveryPointDeletionWorkflowId(stack.orgId, point.id))).status).toBe('FAILED');
    expect(await pointById(stack, point.id)).toBeDefined();
  });

  it('is not due for expiry before its lock ends', async () => {
    const outcome = await runExpiryPass(stack, { now: new Date(point.lockedUntil!.getTime() - 60_000).toISOString() });
    expect(outcome.deleted).not.toContain(point.id);
    expect(await pointById(stack, point.id)).toBeDefined();
  });

  it('survives someone deleting every object version the target\'s keys allow, and restores byte-exact', async () => {
    let deleted = 0;
    let refused = 0;
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket, Prefix: `${prefix}/` }));
    for (const version of [...(versions.Versions ?? []), ...(versions.DeleteMarkers ?? [])]) {
      await s3.send(new DeleteObjectCommand({ Bucket, Key: version.Key, VersionId: version.VersionId })).then(
        () => deleted++,
        () => refused++,
      );
    }
    console.info(`SafeLock end to end: ${deleted} object versions deleted, ${refused} refused`);
    expect(versions.IsTruncated).toBe(false);
    expect(deleted).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);

    const repository = await openTargetRepository(stack, storageTargetId);
    const [resources, copy] = pointSnapshots(point);
    expect((await repository.readSnapshot(resources!)).id).toBe(resources);
    const target = join(scratch, 'restored');
    await runRestore(repository, { snapshotId: copy!, target });
    expect(await volumeDigest(target)).toBe(await volumeDigest(app.dataPath));
  });
});
