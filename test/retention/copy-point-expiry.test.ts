import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CopiedVolume } from '../../proto/mover/index.js';
import { runBackup } from '../../lib/datamover/backup/backup.js';
import { SnapshotNotFoundError } from '../../lib/datamover/errors.js';
import { PACKS_PREFIX } from '../../lib/datamover/repository/layout.js';
import type { Repository } from '../../lib/datamover/repository/repository.js';
import { runRestore } from '../../lib/datamover/restore/restore.js';
import { recoveryPointDeletionWorkflowId } from '../../lib/domain/runs/recovery-point-deletion.js';
import type { deleteRecoveryPointWorkflow } from '../../workflows/recovery-point-delete.js';
import { createBackupDefinition } from '../api/helpers/fixtures.js';
import type { BackupStack } from '../backup/helpers/backup-stack.js';
import { deployEmulatedApp } from '../backup/helpers/emulated-app.js';
import { openTargetRepository } from '../backup/helpers/run-repository.js';
import { jobAfterRun, runNow } from '../backup/helpers/runs.js';
import { eventually, type EmulatedCluster } from '../emulator/helpers/cluster.js';
import { writeKnownData } from '../fixtures/volume-data.js';
import { volumeDigest } from '../fixtures/volume-digest.js';
import { DAY_MS, deletionJob, keptVolumes, pointById, pointOfJob, runExpiryPass, startRetentionStack, type PointRow, type RetentionStack } from './helpers.js';

let retention: RetentionStack;
let stack: BackupStack;
let cluster: EmulatedCluster;
let storageTargetId: string;
let repository: Repository;
let point: PointRow;
/** The point's repository snapshots: its resources and its PV's copy. */
let pointSnapshots: string[];
/** Packs written by the COPY run only, and by the other point (a library backup of other data into the same repository). */
let pointPacks: string[];
let otherPacks: string[];
let other: { snapshotId: string; digest: string };
let scratch: string;

const listPacks = async () => {
  const keys: string[] = [];
  for await (const object of repository.backend.list(PACKS_PREFIX)) keys.push(object.key);
  return keys.sort();
};

const snapshotExists = (id: string) =>
  repository.readSnapshot(id).then(
    () => true,
    (error: unknown) => {
      if (error instanceof SnapshotNotFoundError) return false;
      throw error;
    },
  );

beforeAll(async () => {
  retention = await startRetentionStack('retention-copy');
  ({ stack, cluster, storageTargetId } = retention);
  const { clusterId } = retention;

  const app = await deployEmulatedApp(cluster, { label: 'copied' });
  const definitionId = (
    await createBackupDefinition(stack.client, clusterId, {
      selection: { scope: 'SELECTED_NAMESPACES', namespaces: [app.namespace] },
      persistentVolumes: { mode: 'BACKUP_TO_OBJECT_STORAGE', preserveSnapshots: true, snapshotRetentionDays: 1 },
      advanced: { destinationStorageTargetId: storageTargetId },
    })
  ).id;
  const job = await jobAfterRun(stack.client, stack.temporal, await runNow(stack.client, definitionId));
  if (job.status !== 'COMPLETED') throw new Error(`copy backup ${job.status}: ${job.message}`);
  point = await pointOfJob(stack, job.id);
  const contents = point.contents as unknown as { resourcesSnapshotId: string; persistentVolumes: CopiedVolume[] };
  pointSnapshots = [contents.resourcesSnapshotId, ...contents.persistentVolumes.map((v) => v.copySnapshotId)];

  repository = await openTargetRepository(stack, storageTargetId);
  pointPacks = await listPacks();
  scratch = await mkdtemp(join(tmpdir(), 'haven-retention-'));
  const source = join(scratch, 'other');
  await mkdir(source);
  await writeKnownData(source, 'retention/other', { largeFileMiB: 2, smallFiles: 20 });
  const backup = await runBackup(repository, { source, volume: 'other/data', sealWorkers: 0 });
  other = { snapshotId: backup.snapshot.id, digest: await volumeDigest(source) };
  otherPacks = (await listPacks()).filter((key) => !pointPacks.includes(key));
}, 420_000);

afterAll(async () => {
  await retention?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('a COPY point that preserved its snapshot, through expiry', () => {
  it('holds a kept snapshot expiring after its own retention (1 day, the copy 3), a copy and its resources in the repository', async () => {
    expect(keptVolumes(point)).toHaveLength(1);
    expect(point.snapshotExpiresAt?.getTime()).toBe(point.createdAt.getTime() + DAY_MS);
    expect(point.expiresAt.getTime()).toBe(point.createdAt.getTime() + 3 * DAY_MS);
    expect(pointSnapshots).toHaveLength(2);
    for (const id of pointSnapshots) expect(await snapshotExists(id)).toBe(true);
    expect(pointPacks.length).toBeGreaterThan(0);
    expect(otherPacks.length).toBeGreaterThan(0);
  });

  it('loses only its kept snapshot when that expires first; the copy stays and the point still lists it', async () => {
    const outcome = await runExpiryPass(stack, { now: new Date(point.snapshotExpiresAt!.getTime() + 60_000).toISOString() });
    expect(outcome.deleted).toEqual([point.id]);
    const [pv] = keptVolumes(point);
    await eventually(async () => !(await cluster.node.store.hasSnapshot(pv!.snapshotHandle!)), 'the kept snapshot\'s data to be deleted');

    const after = (await pointById(stack, point.id))!;
    expect(after.snapshotExpiresAt).toBeNull();
    expect(keptVolumes(after)).toEqual([]);
    expect((after.contents as unknown as { persistentVolumes: CopiedVolume[] }).persistentVolumes.map((v) => v.copySnapshotId)).toEqual([pointSnapshots[1]]);
    for (const id of pointSnapshots) expect(await snapshotExists(id)).toBe(true);
    expect((await deletionJob(stack, recoveryPointDeletionWorkflowId(stack.orgId, point.id))).status).toBe('COMPLETED');
  });

  it('is deleted at its expiry: its repository snapshots are forgotten and GC condemns its packs', async () => {
    // As if an earlier attempt had forgotten one before it crashed: the retried step must not fail on it.
    await repository.deleteSnapshot(pointSnapshots[0]!);
    const outcome = await runExpiryPass(stack, { now: new Date(point.expiresAt.getTime() + 60_000).toISOString() });
    expect(outcome.deleted).toEqual([point.id]);
    expect(await pointById(stack, point.id)).toBeUndefined();
    for (const id of pointSnapshots) expect(await snapshotExists(id)).toBe(false);
    expect(outcome.collected).toEqual([expect.objectContaining({ storageTargetId, condemnedPacks: pointPacks.length, deletedPacks: 0 })]);
  });

  it('has its packs deleted by the next pass\'s GC, while the other point\'s packs stay and its data restores byte for byte', async () => {
    const outcome = await runExpiryPass(stack, { now: new Date(point.expiresAt.getTime() + 120_000).toISOString() });
    expect(outcome.collected).toEqual([expect.objectContaining({ storageTargetId, deletedPacks: pointPacks.length })]);
    const left = await listPacks();
    expect(left.filter((key) => pointPacks.includes(key))).toEqual([]);
    expect(left).toEqual(otherPacks);

    const target = join(scratch, 'restored');
    await runRestore(repository, { snapshotId: other.snapshotId, target });
    expect(await volumeDigest(target)).toBe(other.digest);
  });

  it('answers GONE to a deletion of the point now that it is gone, recording no job', async () => {
    const outcome = await stack.temporal.workflow.execute<typeof deleteRecoveryPointWorkflow>('deleteRecoveryPointWorkflow', {
      taskQueue: stack.api.config.workflowEngine!.controlTaskQueue,
      workflowId: recoveryPointDeletionWorkflowId(stack.orgId, point.id),
      args: [{ orgId: stack.orgId, recoveryPointId: point.id, scope: 'ALL', cause: 'REQUESTED' }],
    });
    expect(outcome).toEqual({ status: 'GONE' });
  });

  it('leaves GC idle on a pass with nothing forgotten and no tombstone waiting', async () => {
    const outcome = await runExpiryPass(stack, { now: new Date(point.expiresAt.getTime() + 180_000).toISOString() });
    expect(outcome).toMatchObject({ deleted: [], failed: [], collected: [] });
  });
});
