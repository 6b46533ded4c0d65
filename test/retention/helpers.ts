import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import type { RecordedContents, RecordedVolume } from '../../activities/control/recovery-points.js';
import { runBackup } from '../../lib/datamover/backup/backup.js';
import { collectGarbage } from '../../lib/datamover/maintenance/gc.js';
import { TOMBSTONES_PREFIX } from '../../lib/datamover/repository/layout.js';
import type { Repository } from '../../lib/datamover/repository/repository.js';
import { DEFAULT_STORAGE_REQUEST_LIMITS, type StorageRequestLimits } from '../../lib/datamover/storage/request-limits.js';
import { recoveryPoints } from '../../lib/db/schema/index.js';
import type { ExpiryPassInput, ExpiryPassOutcome } from '../../lib/domain/runs/recovery-point-deletion.js';
import type { RepositoryGcPassOutcome } from '../../lib/domain/runs/repository-gc.js';
import type { recoveryPointExpiryWorkflow } from '../../workflows/recovery-point-expiry.js';
import type { repositoryGcPassWorkflow } from '../../workflows/repository-gc-pass.js';
import { createCluster, expectStatus } from '../api/helpers/fixtures.js';
import { startBackupStack, type BackupStack } from '../backup/helpers/backup-stack.js';
import { openTargetRepository } from '../backup/helpers/run-repository.js';
import { untilClusterActive, type JobView } from '../backup/helpers/runs.js';
import { createStackS3Target } from '../backup/helpers/stack-target.js';
import { startEmulatedCluster, type EmulatedCluster } from '../emulator/helpers/cluster.js';
import { writeKnownData } from '../fixtures/volume-data.js';
import { startHostileStorage, type HostileBehaviour, type HostileStorage } from '../support/hostile-storage.js';
import { uniqueName } from '../support/stack-env.js';

export type PointRow = typeof recoveryPoints.$inferSelect;

/** The recovery point a backup job recorded, as stored (contents include what the API does not show). */
export async function pointOfJob(stack: BackupStack, jobId: string): Promise<PointRow> {
  const [row] = await stack.api.running.database.db.select().from(recoveryPoints).where(eq(recoveryPoints.jobId, jobId));
  if (!row) throw new Error(`job ${jobId} recorded no recovery point`);
  return row;
}

export async function pointById(stack: BackupStack, id: string): Promise<PointRow | undefined> {
  const [row] = await stack.api.running.database.db.select().from(recoveryPoints).where(eq(recoveryPoints.id, id));
  return row;
}

export const keptVolumes = (row: PointRow) => ((row.contents as RecordedContents).persistentVolumes as RecordedVolume[]).filter((v) => v.snapshotName);

/**
 * One expiry pass with the control plane's clock at `now`, as if the pass ran then; it does not wait for
 * the repository GC pass it starts.
 */
export async function startExpiryPass(stack: BackupStack, { now, ...input }: ExpiryPassInput & { now: string }): Promise<ExpiryPassOutcome> {
  stack.setControlTime(new Date(now));
  try {
    return await stack.temporal.workflow.execute<typeof recoveryPointExpiryWorkflow>('recoveryPointExpiryWorkflow', {
      taskQueue: stack.api.config.workflowEngine!.controlTaskQueue,
      workflowId: uniqueName('expiry-test'),
      args: [input],
    });
  } finally {
    stack.setControlTime(undefined);
  }
}

/** An expiry pass and then the repository GC pass it started (or found running), with what that reclaimed. */
export async function runExpiryPass(stack: BackupStack, input: ExpiryPassInput & { now: string }): Promise<ExpiryPassOutcome & RepositoryGcPassOutcome> {
  const outcome = await startExpiryPass(stack, input);
  const gc = await stack.temporal.workflow.getHandle<typeof repositoryGcPassWorkflow>(outcome.garbageCollection.workflowId).result();
  return { ...outcome, ...gc };
}

/** The RECOVERY_POINT_DELETE job a deletion workflow recorded. */
export async function deletionJob(stack: BackupStack, workflowId: string): Promise<JobView> {
  const page = expectStatus<{ items: JobView[] }>(await stack.client.get('/jobs?kind=RECOVERY_POINT_DELETE&limit=100'), 200);
  const job = page.items.find((j) => j.workflowId === workflowId);
  if (!job) throw new Error(`no deletion job for workflow ${workflowId}: ${JSON.stringify(page.items.map((j) => j.workflowId))}`);
  return job;
}

export const DAY_MS = 86_400_000;

export interface RetentionStack {
  stack: BackupStack;
  cluster: EmulatedCluster;
  clusterId: string;
  storageTargetId: string;
  close(): Promise<void>;
}

/** An emulated cluster with a connected agent, and an S3 target of its own: what makes recovery points to expire. */
export async function startRetentionStack(name: string): Promise<RetentionStack> {
  const cluster = await startEmulatedCluster();
  // Packs nothing references are reclaimed at once: the passes here stand for days apart.
  const stack = await startBackupStack({ gcGraceMs: 0 });
  const clusterId = (await createCluster(stack.client)).id;
  const storageTargetId = await createStackS3Target(stack, name);
  await stack.startAgent(clusterId, { executor: cluster.node.executor });
  await untilClusterActive(stack.client, clusterId);
  return {
    stack,
    cluster,
    clusterId,
    storageTargetId,
    close: async () => {
      await stack.close();
      await cluster.stop();
    },
  };
}

/** Short enough for a test to wait out, long enough for the stack's own S3 server on a busy machine. */
export const HOSTILE_TEST_LIMITS: StorageRequestLimits = { ...DEFAULT_STORAGE_REQUEST_LIMITS, connectTimeoutMs: 2_000, idleTimeoutMs: 3_000, requestDeadlineMs: 3_000, maxAnswerBytes: 256 * 1024, maxObjectBytes: 32 * 1024 * 1024 };

/**
 * A target of `stack.client`'s organization that passed the probe and whose endpoint answers otherwise
 * since (a tenant controls its server and its DNS); the hostile server joins `hostiles`, for closing.
 */
export async function createHostileTarget(stack: BackupStack, behaviour: HostileBehaviour, hostiles: HostileStorage[]): Promise<string> {
  const hostile = await startHostileStorage(behaviour);
  hostiles.push(hostile);
  const id = await createStackS3Target(stack, `hostile-${behaviour}`);
  await stack.api.running.database.pool.query(`update storage_targets set config = jsonb_set(config, '{endpoint}', to_jsonb($1::text)) where id = $2`, [hostile.endpoint, id]);
  return id;
}

/**
 * A new S3 target of `stack.client`'s organization whose repository has GC work waiting: a tombstone
 * whose packs no snapshot needs (backed up from a directory made under `scratch`).
 */
export async function targetWithPendingGc(stack: BackupStack, scratch: string): Promise<{ storageTargetId: string; repository: Repository }> {
  const storageTargetId = await createStackS3Target(stack, 'pending-gc');
  const repository = await openTargetRepository(stack, storageTargetId);
  const source = await mkdtemp(join(scratch, 'data-'));
  await writeKnownData(source, 'maintenance', { largeFileMiB: 1, smallFiles: 3 });
  const { snapshot } = await runBackup(repository, { source, volume: 'v', tags: {}, sealWorkers: 0 });
  await repository.deleteSnapshot(snapshot.id);
  if ((await collectGarbage(repository, { graceMs: 0 })).condemnedPacks === 0) throw new Error('the deleted snapshot left no pack to condemn');
  return { storageTargetId, repository };
}

/** The keys of the repository's GC tombstones still waiting. */
export async function waitingTombstones(repository: Repository): Promise<string[]> {
  const keys: string[] = [];
  for await (const object of repository.backend.list(TOMBSTONES_PREFIX)) keys.push(object.key);
  return keys;
}
