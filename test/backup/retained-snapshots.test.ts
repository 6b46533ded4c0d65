import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awaitVolumeSnapshot } from '../../activities/cluster/snapshots/await-snapshot.js';
import { createVolumeSnapshot } from '../../activities/cluster/snapshots/create-snapshot.js';
import { deleteSnapshotData, retainContent } from '../../activities/cluster/snapshots/retain-content.js';
import { SnapshotApi, type VolumeSnapshotContentObject } from '../../activities/cluster/snapshots/snapshot-api.js';
import type { RecordedContents, RecordedVolume } from '../../activities/control/recovery-points.js';
import { RETAINED_FROM_ANNOTATION } from '../../proto/agent/index.js';
import { recoveryPoints } from '../../lib/db/schema/index.js';
import { createBackupDefinition, createCluster } from '../api/helpers/fixtures.js';
import { eventually, startEmulatedCluster, type EmulatedCluster } from '../emulator/helpers/cluster.js';
import { volumeDigest } from '../fixtures/volume-digest.js';
import { uniqueName } from '../support/stack-env.js';
import { startBackupStack, type BackupStack } from './helpers/backup-stack.js';
import { deployEmulatedApp, type EmulatedApp } from './helpers/emulated-app.js';
import { jobAfterRun, runNow, untilClusterActive, type JobView } from './helpers/runs.js';
import { createStackS3Target } from './helpers/stack-target.js';

/** The emulator's snapshot class (like most real ones) deletes a snapshot's data with its namespace. */
const HOSTPATH_DRIVER = 'hostpath.csi.k8s.io';

let stack: BackupStack;
let cluster: EmulatedCluster;
let snapshots: SnapshotApi;
let clusterId: string;
let storageTargetId: string;

beforeAll(async () => {
  cluster = await startEmulatedCluster();
  snapshots = new SnapshotApi(cluster.config);
  stack = await startBackupStack();
  clusterId = (await createCluster(stack.client)).id;
  storageTargetId = await createStackS3Target(stack, 'retained-snapshots');
  await stack.startAgent(clusterId, { executor: cluster.node.executor });
  await untilClusterActive(stack.client, clusterId);
}, 240_000);

afterAll(async () => {
  await stack?.close();
  await cluster?.stop();
});

/** Runs a backup of `namespace` and answers its job and the PVs its recovery point keeps (as stored). */
async function backUp(namespace: string, persistentVolumes: Record<string, unknown>): Promise<{ job: JobView; recorded: RecordedVolume[] }> {
  const definitionId = (
    await createBackupDefinition(stack.client, clusterId, {
      selection: { scope: 'SELECTED_NAMESPACES', namespaces: [namespace] },
      persistentVolumes,
      advanced: { destinationStorageTargetId: storageTargetId },
    })
  ).id;
  const job = await jobAfterRun(stack.client, stack.temporal, await runNow(stack.client, definitionId));
  const [row] = await stack.api.running.database.db.select({ contents: recoveryPoints.contents }).from(recoveryPoints).where(eq(recoveryPoints.jobId, job.id));
  return { job, recorded: (row?.contents as RecordedContents | undefined)?.persistentVolumes ?? [] };
}

async function readContent(name: string): Promise<VolumeSnapshotContentObject | undefined> {
  return (await snapshots.getContent(name)) ?? undefined;
}

describe('a snapshot-only recovery point whose namespace is deleted', () => {
  let app: EmulatedApp;
  let job: JobView;
  let pv: RecordedVolume;
  let digestAtBackup: string;

  beforeAll(async () => {
    app = await deployEmulatedApp(cluster);
    digestAtBackup = await volumeDigest(app.dataPath);
    const run = await backUp(app.namespace, { mode: 'SNAPSHOT_ONLY' });
    job = run.job;
    if (!run.recorded[0]) throw new Error(`backup job ${job.id} (${job.status}: ${job.message}) recorded no PV`);
    pv = run.recorded[0];
  });

  it('records the content, its handle, its CSI driver and the deletion policy it had', () => {
    expect(job.status, job.message).toBe('COMPLETED');
    expect(pv).toMatchObject({ claim: 'data', method: 'SNAPSHOT', snapshotDriver: HOSTPATH_DRIVER, snapshotDeletionPolicy: 'Delete' });
    expect(pv.snapshotContentName).toMatch(/^snapcontent-/);
    expect(pv.snapshotHandle).toMatch(/^snapshot-/);
  });

  it('switches the bound content to Retain, noting the policy it had', async () => {
    const content = await readContent(pv.snapshotContentName!);
    expect(content?.spec?.deletionPolicy).toBe('Retain');
    expect(content?.metadata.annotations?.[RETAINED_FROM_ANNOTATION]).toBe('Delete');
  });

  it('keeps the content and the snapshot data once the namespace is gone', async () => {
    await cluster.api.core.deleteNamespace({ name: app.namespace });
    await eventually(
      () => cluster.api.core.readNamespace({ name: app.namespace }).then(() => false, (err: { code?: number }) => err.code === 404),
      `namespace ${app.namespace} to be deleted`,
      120_000,
    );
    expect((await readContent(pv.snapshotContentName!))?.status?.snapshotHandle).toBe(pv.snapshotHandle);
    expect(await cluster.node.store.hasSnapshot(pv.snapshotHandle!)).toBe(true);
    expect(await volumeDigest(cluster.node.store.snapshotPath(pv.snapshotHandle!))).toBe(digestAtBackup);
  });

  it('deletes the data when the snapshot is deleted through Haven, even with its namespace gone', async () => {
    await deleteSnapshotData(snapshots, { namespace: app.namespace, snapshotName: pv.snapshotName!, contentName: pv.snapshotContentName! });
    await eventually(async () => !(await readContent(pv.snapshotContentName!)), `content ${pv.snapshotContentName} to be deleted`);
    expect(await cluster.node.store.hasSnapshot(pv.snapshotHandle!)).toBe(false);
  });
});

describe('a copy backup that preserves its snapshots', () => {
  it('retains the preserved snapshot and records its driver and original policy', async () => {
    const app = await deployEmulatedApp(cluster, { label: 'preserved' });
    const { job, recorded } = await backUp(app.namespace, { mode: 'BACKUP_TO_OBJECT_STORAGE', preserveSnapshots: true });
    expect(job.status, job.message).toBe('COMPLETED');
    const pv = recorded.find((v) => v.claim === app.dataClaim);
    expect(pv).toMatchObject({ snapshotDriver: HOSTPATH_DRIVER, snapshotDeletionPolicy: 'Delete' });
    expect((await readContent(pv!.snapshotContentName!))?.spec?.deletionPolicy).toBe('Retain');
    // The emulator's teardown deletes this namespace: the retained data goes through Haven's own delete.
    await deleteSnapshotData(snapshots, { namespace: app.namespace, snapshotName: pv!.snapshotName!, contentName: pv!.snapshotContentName! });
  }, 300_000);
});

describe('a retained snapshot deleted by its run (failed or cancelled, or a copy not preserved)', () => {
  it('takes its content and data with it', async () => {
    const app = await deployEmulatedApp(cluster, { label: 'cleanup' });
    const request = { version: 1 as const, jobId: uniqueName('job'), definitionId: uniqueName('definition'), namespace: app.namespace, claim: app.dataClaim };
    const snapshotName = await createVolumeSnapshot(snapshots, { ...request, snapshotClass: 'csi-hostpath-snapclass' });
    const state = await awaitVolumeSnapshot(snapshots, { version: 1, namespace: app.namespace, snapshotName, until: 'READY', timeoutSeconds: 60 });
    expect(state).toMatchObject({ outcome: 'READY', driver: HOSTPATH_DRIVER });
    // Twice: a retried activity answers the first policy, not the Retain it set.
    expect(await retainContent(snapshots, state.contentName!)).toBe('Delete');
    expect(await retainContent(snapshots, state.contentName!)).toBe('Delete');
    expect((await readContent(state.contentName!))?.spec?.deletionPolicy).toBe('Retain');

    await deleteSnapshotData(snapshots, { namespace: app.namespace, snapshotName });
    await eventually(async () => !(await readContent(state.contentName!)), `content ${state.contentName} to be deleted`);
    expect(await snapshots.get(app.namespace, snapshotName)).toBeNull();
    expect(await cluster.node.store.hasSnapshot(state.snapshotHandle!)).toBe(false);
  });
});
