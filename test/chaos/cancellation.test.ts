import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { progressQuery } from '../../workflows/backup-progress.js';
import { replicationProgressQuery } from '../../workflows/replication-progress.js';
import { restoreProgressQuery } from '../../workflows/restore-progress.js';
import { createBackupDefinition, createCluster, expectStatus } from '../api/helpers/fixtures.js';
import { startBackupStack, type BackupStack } from '../backup/helpers/backup-stack.js';
import { deployEmulatedApp, listSnapshots, type EmulatedApp } from '../backup/helpers/emulated-app.js';
import { jobLeftovers } from '../backup/helpers/leftovers.js';
import { moverProcesses } from '../backup/helpers/mover-processes.js';
import { jobAfterRun, runNow, untilClusterActive, type JobView } from '../backup/helpers/runs.js';
import { createStackS3Target } from '../backup/helpers/stack-target.js';
import { eventually, startEmulatedCluster, type EmulatedCluster } from '../emulator/helpers/cluster.js';
import { seededBytes } from '../fixtures/volume-data.js';
import { createReplication, jobsOf } from '../replication/helpers/replication.js';
import { s3Server } from '../support/s3-servers.js';
import { startSlowLink, type SlowLink } from '../support/slow-link.js';
import { uniqueName } from '../support/stack-env.js';

/**
 * Cancellation proven, not assumed: a backup cancelled while it waits for its snapshots, a restore while
 * its volumes fill, a replication in its restore phase. Each ends CANCELLED, its mover processes are
 * really gone (not only their pods), and nothing labelled with the job stays in the cluster.
 */
// Snapshots of this emulator never become ready while a test looks: the backup waits for them.
const SNAPSHOT_NEVER_READY_MS = 30 * 60_000;
// Reads from storage at this rate: a restore of the app's ~7 MiB fills its volume for half a minute.
const SLOW_READ_BYTES_PER_SECOND = 200 * 1024;
const PROCESS_EXIT_MS = 60_000;
/**
 * A cancelled snapshot wait ends well within this (its heartbeat reports the cancellation), against the
 * half hour it would otherwise poll a snapshot that never becomes ready.
 */
const SNAPSHOT_WAIT_STOP_MS = 30_000;
/** The agent's activity metrics: a snapshot wait that ended is counted, one still polling is not. */
const agentMetrics = new Registry();

let stack: BackupStack;
let cluster: EmulatedCluster;
let app: EmulatedApp;
let link: SlowLink;
let clusterId: string;
let storageTargetId: string;
let recoveryPointId: string;

/** A copy backup (no snapshot) at full speed: what the restore cancels from. */
async function copyBackup(): Promise<string> {
  const definitionId = (await createBackupDefinition(stack.client, clusterId, {
    selection: { scope: 'SELECTED_NAMESPACES', namespaces: [app.namespace] },
    persistentVolumes: { mode: 'BACKUP_TO_OBJECT_STORAGE', snapshotBeforeBackup: false },
    advanced: { destinationStorageTargetId: storageTargetId },
  })).id;
  const job = await jobAfterRun(stack.client, stack.temporal, await runNow(stack.client, definitionId));
  expect(job.status, job.message).toBe('COMPLETED');
  const points = expectStatus<{ items: { id: string; jobId: string }[] }>(await stack.client.get(`/recovery-points?definitionId=${definitionId}`), 200);
  return points.items.find((p) => p.jobId === job.id)!.id;
}

/** Cancels through the API and waits for the run's end; the pids must leave /proc, not only their pods. */
async function cancelAndAwait(started: JobView, pids: number[]): Promise<JobView> {
  expectStatus(await stack.client.post(`/jobs/${started.id}/actions/cancel`, {}), 202);
  const job = await jobAfterRun(stack.client, stack.temporal, started);
  await eventually(async () => pids.every((pid) => !processAlive(pid)), `mover processes ${pids.join(', ')} to exit`, PROCESS_EXIT_MS);
  return job;
}

/** Snapshot waits the agent has finished, however they ended. */
async function snapshotWaitsEnded(): Promise<number> {
  const calls = (await agentMetrics.getSingleMetric('haven_agent_activities_total')?.get())?.values ?? [];
  return calls.filter((v) => v.labels.activity === 'awaitVolumeSnapshot').reduce((sum, v) => sum + v.value, 0);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  cluster = await startEmulatedCluster({ snapshotReadyDelayMs: SNAPSHOT_NEVER_READY_MS });
  app = await deployEmulatedApp(cluster, { label: 'cancel' });
  await writeFile(join(app.dataPath, 'bulk.bin'), seededBytes('cancel-bulk', 4 * 2 ** 20));
  stack = await startBackupStack();
  clusterId = (await createCluster(stack.client)).id;
  link = await startSlowLink(s3Server('versitygw').endpoint);
  storageTargetId = await createStackS3Target(stack, 'cancellation', { ...s3Server('versitygw'), endpoint: link.endpoint });
  await stack.startAgent(clusterId, { executor: cluster.node.executor, metrics: agentMetrics });
  await untilClusterActive(stack.client, clusterId);
  recoveryPointId = await copyBackup();
}, 300_000);

afterAll(async () => {
  await stack?.close();
  await cluster?.stop();
  await link?.close();
});

describe('cancelling a backup while it waits for its snapshots', () => {
  it('ends CANCELLED, stops the agent\'s snapshot wait and deletes the snapshot it was waiting for', async () => {
    const definitionId = (await createBackupDefinition(stack.client, clusterId, {
      selection: { scope: 'SELECTED_NAMESPACES', namespaces: [app.namespace] },
      persistentVolumes: { mode: 'BACKUP_TO_OBJECT_STORAGE', snapshotBeforeBackup: true },
      advanced: { destinationStorageTargetId: storageTargetId },
    })).id;
    const started = await runNow(stack.client, definitionId);
    const handle = stack.temporal.workflow.getHandle(started.workflowId);
    await eventually(async () => (await handle.query(progressQuery)).step === 'AWAITING_SNAPSHOTS', 'the backup to wait for its snapshots', 120_000);
    const snapshots = (await listSnapshots(cluster, app.namespace)).length;
    expect(snapshots).toBeGreaterThan(0);
    // Each snapshot's wait until it is cut has ended; its wait until ready polls on (it never is).
    const cutWaits = await snapshotWaitsEnded();
    expect(cutWaits).toBe(snapshots);
    const job = await cancelAndAwait(started, []);
    expect(job.status, job.message).toBe('CANCELLED');
    await eventually(async () => (await snapshotWaitsEnded()) === cutWaits + snapshots, 'the agent\'s snapshot waits to stop', SNAPSHOT_WAIT_STOP_MS);
    await eventually(async () => (await jobLeftovers(cluster, job.id)).length === 0, 'the snapshot to be deleted', 60_000);
    expect(await listSnapshots(cluster, app.namespace)).toEqual([]);
  }, 240_000);
});

describe('cancelling a restore while its volumes fill', () => {
  it('ends CANCELLED, its mover process stopped and nothing labelled with it left', async () => {
    link.throttle(SLOW_READ_BYTES_PER_SECOND);
    cluster.adopt(`${app.namespace}-rc`);
    try {
      const restore = expectStatus<{ id: string }>(await stack.client.post('/restores', {
        name: uniqueName('cancel-restore'), recoveryPointId, targetClusterId: clusterId, transforms: { namespaceMapping: { [app.namespace]: `${app.namespace}-rc` } },
      }), 201);
      const started = expectStatus<JobView>(await stack.client.post(`/restores/${restore.id}/actions/run`, {}), 202);
      const handle = stack.temporal.workflow.getHandle(started.workflowId);
      const pids = await eventually(async () => {
        const filling = (await handle.query(restoreProgressQuery)).volumes?.some((v) => v.state === 'FILLING');
        const movers = await moverProcesses(started.id);
        return filling && movers.length > 0 ? movers : undefined;
      }, 'a mover to fill the restored volume', 180_000);
      const job = await cancelAndAwait(started, pids);
      expect(job.status, job.message).toBe('CANCELLED');
      expect((await handle.query(restoreProgressQuery)).step).toBe('CANCELLED');
      await eventually(async () => (await jobLeftovers(cluster, job.id)).length === 0, 'the restore\'s mover objects to be removed', 60_000);
    } finally {
      link.throttle(null);
    }
  }, 300_000);
});

describe('cancelling a replication in its restore phase', () => {
  it('ends CANCELLED with its restore phase, whose mover stopped, leaving nothing behind', async () => {
    link.throttle(SLOW_READ_BYTES_PER_SECOND);
    cluster.adopt(`${app.namespace}-replica`);
    try {
      const pointsBefore = expectStatus<{ items: { id: string }[] }>(await stack.client.get('/recovery-points'), 200).items.map((p) => p.id);
      const definitionId = await createReplication(stack, {
        sourceClusterId: clusterId,
        selection: { scope: 'SELECTED_NAMESPACES', namespaces: [app.namespace] },
        persistentVolumes: { mode: 'BACKUP_TO_OBJECT_STORAGE', snapshotBeforeBackup: false },
        advanced: { destinationStorageTargetId: storageTargetId },
        destination: { clusterId, namespaces: [`${app.namespace}-replica`] },
        transforms: { namespaceMapping: { [app.namespace]: `${app.namespace}-replica` } },
      });
      const started = expectStatus<JobView>(await stack.client.post(`/replication-definitions/${definitionId}/actions/run`, {}), 202);
      const handle = stack.temporal.workflow.getHandle(started.workflowId);
      const { restoreJobId, pids } = await eventually(async () => {
        const progress = await handle.query(replicationProgressQuery);
        const movers = progress.step === 'RESTORING' && progress.restore ? await moverProcesses(progress.restore.jobId) : [];
        return movers.length > 0 ? { restoreJobId: progress.restore!.jobId, pids: movers } : undefined;
      }, 'the replication\'s restore phase to fill a volume', 240_000);
      const job = await cancelAndAwait(started, pids);
      expect(job.status, job.message).toBe('CANCELLED');
      const phases = await jobsOf(stack, definitionId);
      expect(phases.find((p) => p.id === restoreJobId)?.status).toBe('CANCELLED');
      await eventually(async () => (await jobLeftovers(cluster)).length === 0, 'every job\'s objects to be removed', 60_000);
      // The temporary recovery point the backup phase made is deleted with the run.
      await eventually(async () => {
        const points = expectStatus<{ items: { id: string }[] }>(await stack.client.get('/recovery-points'), 200).items.map((p) => p.id);
        return points.every((id) => pointsBefore.includes(id));
      }, 'the temporary recovery point to be deleted', 60_000);
    } finally {
      link.throttle(null);
    }
  }, 400_000);
});
