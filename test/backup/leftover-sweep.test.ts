import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVolumeSnapshot } from '../../activities/cluster/snapshots/create-snapshot.js';
import { awaitVolumeSnapshot } from '../../activities/cluster/snapshots/await-snapshot.js';
import { retainContent } from '../../activities/cluster/snapshots/retain-content.js';
import { SnapshotApi } from '../../activities/cluster/snapshots/snapshot-api.js';
import { jobs, recoveryPoints } from '../../lib/db/schema/index.js';
import { clusterSweepWorkflowId, type ClusterSweepOutcome } from '../../lib/domain/runs/leftover-sweep.js';
import { HAVEN_MANAGER, MOVER_LABELS } from '../../proto/mover/index.js';
import { leftoverSweepWorkflow } from '../../workflows/leftover-sweep.js';
import { createBackupDefinition, createCluster, expectStatus } from '../api/helpers/fixtures.js';
import { eventually, startEmulatedCluster, type EmulatedCluster } from '../emulator/helpers/cluster.js';
import { seededBytes } from '../fixtures/volume-data.js';
import { uniqueName } from '../support/stack-env.js';
import { startBackupStack, type BackupStack, type RunningWorker } from './helpers/backup-stack.js';
import { deployEmulatedApp, dropKeptSnapshots, type EmulatedApp } from './helpers/emulated-app.js';
import { leaveMoverObjects } from './helpers/job-objects.js';
import { jobLeftovers } from './helpers/leftovers.js';
import { leaveRestoreSources, type LeftSource } from './helpers/restore-sources.js';
import { createStackS3Target } from './helpers/stack-target.js';
import { backupProgress, runNow, untilClusterActive, type JobView } from './helpers/runs.js';

let stack: BackupStack;
let cluster: EmulatedCluster;
let app: EmulatedApp;
let snapshots: SnapshotApi;
let clusterId: string;
let otherClusterId: string;
let storageTargetId: string;
let agent: RunningWorker;

beforeAll(async () => {
  cluster = await startEmulatedCluster();
  app = await deployEmulatedApp(cluster, { label: 'sweep' });
  // 40 files of 512 KiB at 1 MB/s: a copy long enough to be stopped in the middle.
  await mkdir(join(app.dataPath, 'bulk'));
  for (let i = 0; i < 40; i++) await writeFile(join(app.dataPath, 'bulk', `part-${i}.bin`), seededBytes(`sweep-${i}`, 512 * 1024));
  snapshots = new SnapshotApi(cluster.config);
  stack = await startBackupStack();
  clusterId = (await createCluster(stack.client)).id;
  otherClusterId = (await createCluster(stack.client)).id;
  storageTargetId = await createStackS3Target(stack, 'leftover-sweep');
  agent = await stack.startAgent(clusterId, { executor: cluster.node.executor });
  await untilClusterActive(stack.client, clusterId);
}, 240_000);

afterAll(async () => {
  // The other cluster never gets an agent: its sweep would wait in its queue for a day.
  await stack?.temporal.workflow.getHandle(clusterSweepWorkflowId(stack.orgId, otherClusterId)).terminate('test over').catch(() => undefined);
  if (app) await dropKeptSnapshots(cluster, app.namespace).catch(() => undefined);
  await stack?.close();
  await cluster?.stop();
});

const db = () => stack.api.running.database.db;

/** A job row as a run records it, for objects made the way that run's activities make them. */
async function recordJob(status: 'RUNNING' | 'COMPLETED' | 'FAILED', ofCluster = clusterId, kind: 'BACKUP' | 'RESTORE' = 'BACKUP'): Promise<string> {
  const [row] = await db()
    .insert(jobs)
    .values({ orgId: stack.orgId, kind, definitionName: 'nightly', clusterId: ofCluster, status, workflowId: uniqueName('no-workflow'), ...(status === 'RUNNING' ? {} : { endedAt: new Date() }) })
    .returning({ id: jobs.id });
  return row!.id;
}

/** A snapshot of the app's claim by `jobId`, READY and retained as a kept snapshot is: its content and data outlive it unless Haven deletes them. */
async function retainedSnapshot(jobId: string) {
  const snapshotName = await createVolumeSnapshot(snapshots, { version: 1, jobId, definitionId: randomUUID(), namespace: app.namespace, claim: app.dataClaim, snapshotClass: 'csi-hostpath-snapclass' });
  const state = await awaitVolumeSnapshot(snapshots, { version: 1, namespace: app.namespace, snapshotName, until: 'READY', timeoutSeconds: 60 });
  await retainContent(snapshots, state.contentName!);
  return { snapshotName, contentName: state.contentName!, snapshotHandle: state.snapshotHandle! };
}

const secretNames = async (namespace: string) => (await cluster.api.core.listNamespacedSecret({ namespace })).items.map((s) => s.metadata?.name);

describe('a run stopped mid-copy while its agent is away, and objects of other jobs around it', () => {
  let killed: JobView;
  let killedLeftovers: string[];
  const reason = 'killed from outside by the leftover test';
  const ended = { jobId: '', objects: [] as string[], kept: { snapshotName: '', contentName: '', snapshotHandle: '' }, swept: { snapshotName: '', contentName: '', snapshotHandle: '' } };
  const untouched: Record<string, { jobId: string; objects: string[] }> = {};
  let protectedNamespace: string;
  let sweep: ClusterSweepOutcome;
  let restoreSources: LeftSource[];

  beforeAll(async () => {
    const definitionId = (
      await createBackupDefinition(stack.client, clusterId, {
        selection: { scope: 'SELECTED_NAMESPACES', namespaces: [app.namespace] },
        persistentVolumes: { mode: 'BACKUP_TO_OBJECT_STORAGE' },
        advanced: { destinationStorageTargetId: storageTargetId, maxSpeedPerStreamMBps: 1 },
      })
    ).id;
    killed = await runNow(stack.client, definitionId);
    const handle = stack.temporal.workflow.getHandle(killed.workflowId);
    await eventually(async () => (await backupProgress(stack.temporal, killed.workflowId))?.volumes[0]?.state === 'COPYING' && (await jobLeftovers(cluster, killed.id)).some((o) => o.startsWith('pod ')), 'the copy to be under way', 180_000);
    // The agent goes away and the run is terminated: no cleanup step of the run can ever run.
    await agent.stop();
    await handle.terminate(reason);
    killedLeftovers = await jobLeftovers(cluster, killed.id);

    // An ended run whose point keeps one snapshot; another snapshot of it (retained, then the run failed) is kept by nothing.
    ended.jobId = await recordJob('COMPLETED');
    const failedJobId = await recordJob('FAILED');
    ended.kept = await retainedSnapshot(ended.jobId);
    ended.swept = await retainedSnapshot(failedJobId);
    ended.objects = await leaveMoverObjects(cluster, clusterId, ended.jobId, app.namespace, app.dataClaim, ended.kept.snapshotName);
    await db().insert(recoveryPoints).values({
      orgId: stack.orgId,
      type: 'SNAPSHOT',
      clusterId,
      clusterName: 'swept',
      definitionName: 'nightly',
      jobId: ended.jobId,
      storageTargetId,
      expiresAt: new Date(Date.now() + 86_400_000),
      contents: {
        namespaces: [app.namespace],
        resourceCount: 1,
        persistentVolumes: [{ namespace: app.namespace, claim: app.dataClaim, storageClass: 'csi-hostpath', sizeBytes: 1, method: 'SNAPSHOT', ...ended.kept }],
      },
    });

    // A restore stopped before releasing its snapshot sources: one claim waits for its first consumer, the other was never written.
    const stoppedRestore = await recordJob('FAILED', clusterId, 'RESTORE');
    restoreSources = await leaveRestoreSources(cluster, stoppedRestore, app.namespace, ended.kept.snapshotHandle, ['restored-waiting', 'restored-unwritten'], ['restored-waiting']);

    // Objects the sweep must leave: a running job's, another cluster's ended job's, a job Haven never recorded.
    for (const [name, jobId] of [
      ['running', await recordJob('RUNNING')],
      ['other cluster', await recordJob('COMPLETED', otherClusterId)],
      ['unknown', randomUUID()],
    ] as const) {
      untouched[name] = { jobId, objects: await leaveMoverObjects(cluster, clusterId, jobId, app.namespace, app.dataClaim, `haven-${jobId}-${app.dataClaim}`) };
    }
    // The ended job's label without Haven's manager label, and Haven's labels in a namespace no run may touch.
    await cluster.api.core.createNamespacedSecret({ namespace: app.namespace, body: { metadata: { name: 'labelled-by-someone', labels: { [MOVER_LABELS.job]: ended.jobId } } } });
    protectedNamespace = `kube-${uniqueName('sweep')}`.slice(0, 63);
    await cluster.api.core.createNamespace({ body: { metadata: { name: protectedNamespace } } });
    await cluster.api.core.createNamespacedSecret({ namespace: protectedNamespace, body: { metadata: { name: 'haven-looking', labels: { [MOVER_LABELS.managedBy]: HAVEN_MANAGER, [MOVER_LABELS.job]: ended.jobId } } } });

    const pass = await stack.temporal.workflow.execute(leftoverSweepWorkflow, {
      taskQueue: stack.api.config.workflowEngine!.controlTaskQueue,
      workflowId: uniqueName('leftover-sweep-pass'),
      args: [{}],
    });
    expect(pass.sweepsStarted).toEqual(expect.arrayContaining([clusterId, otherClusterId]));
    // The agent returns: the sweep waiting in its queue runs first thing.
    agent = await stack.startAgent(clusterId, { executor: cluster.node.executor });
    sweep = await stack.temporal.workflow.getHandle(clusterSweepWorkflowId(stack.orgId, clusterId)).result();
  }, 420_000);

  afterAll(async () => {
    await cluster.api.core.deleteNamespace({ name: protectedNamespace }).catch(() => undefined);
  });

  it('ends the job its terminated workflow left RUNNING, saying why', async () => {
    const job = expectStatus<JobView>(await stack.client.get(`/jobs/${killed.id}`), 200);
    expect(job.status).toBe('FAILED');
    expect(job.message).toContain('terminated');
    expect(job.message).toContain(reason);
    expect(job.endedAt).not.toBeNull();
  });

  it('removes the mover pod, temporary claim, credentials and snapshot the stopped run left', async () => {
    expect(killedLeftovers.filter((o) => /^(pod|persistentvolumeclaim|secret|volumesnapshot) /.test(o)).map((o) => o.split(' ')[0]).sort()).toEqual(
      expect.arrayContaining(['persistentvolumeclaim', 'pod', 'secret', 'volumesnapshot']),
    );
    expect(sweep.endedJobs).toContain(killed.id);
    expect(await jobLeftovers(cluster, killed.id)).toEqual([]);
  });

  it("removes an ended job's mover objects and the snapshot no point keeps, with the data Haven retained", async () => {
    // What stays under the job's label: the kept snapshot and the two decoys Haven must not touch.
    expect((await jobLeftovers(cluster, ended.jobId)).sort()).toEqual(
      [`secret ${app.namespace}/labelled-by-someone`, `secret ${protectedNamespace}/haven-looking`, `volumesnapshot ${app.namespace}/${ended.kept.snapshotName}`].sort(),
    );
    expect(sweep.deleted).toEqual(expect.arrayContaining([...ended.objects, `volumesnapshot ${app.namespace}/${ended.swept.snapshotName}`]));
    expect(await snapshots.get(app.namespace, ended.swept.snapshotName)).toBeNull();
    await eventually(async () => !(await snapshots.getContent(ended.swept.contentName)), `content ${ended.swept.contentName} to be deleted`);
    expect(await cluster.node.store.hasSnapshot(ended.swept.snapshotHandle)).toBe(false);
  });

  it('keeps the snapshot a live recovery point holds, with its retained content and data', async () => {
    expect(await snapshots.get(app.namespace, ended.kept.snapshotName)).not.toBeNull();
    expect((await snapshots.getContent(ended.kept.contentName))?.spec?.deletionPolicy).toBe('Retain');
    expect(await cluster.node.store.hasSnapshot(ended.kept.snapshotHandle)).toBe(true);
  });

  it("removes a stopped restore's snapshot source nothing waits for, with its content, and keeps the one a pending claim waits for", async () => {
    const [waiting, unused] = restoreSources as [LeftSource, LeftSource];
    expect(sweep.deleted).toEqual(expect.arrayContaining([`volumesnapshot ${app.namespace}/${unused.snapshotName}`, `volumesnapshotcontent /${unused.contentName}`]));
    await eventually(async () => !(await snapshots.get(app.namespace, unused.snapshotName)) && !(await snapshots.getContent(unused.contentName)), `source ${unused.snapshotName} to be deleted`);
    expect(await snapshots.get(app.namespace, waiting.snapshotName)).not.toBeNull();
    expect((await snapshots.getContent(waiting.contentName))?.spec?.deletionPolicy).toBe('Retain');
    // The driver's snapshot behind both sources is the recovery point's: releasing a source never deletes it.
    expect(await cluster.node.store.hasSnapshot(ended.kept.snapshotHandle)).toBe(true);
  });

  it("leaves a running job's objects, another cluster's job's and those of a job Haven never recorded", async () => {
    for (const [name, { jobId, objects }] of Object.entries(untouched)) expect(await jobLeftovers(cluster, jobId), name).toEqual(expect.arrayContaining(objects));
    expect(sweep.untouchedJobs).toBeGreaterThanOrEqual(3);
  });

  it('leaves objects without Haven\'s manager label and Haven-looking objects in protected namespaces', async () => {
    expect(await secretNames(app.namespace)).toContain('labelled-by-someone');
    expect(await secretNames(protectedNamespace)).toContain('haven-looking');
  });
});
