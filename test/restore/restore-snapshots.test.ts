import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESTORE_SNAPSHOT_LABELS } from '../../proto/agent/restore-volumes.js';
import { restoreProgressQuery, type RestoreProgress } from '../../workflows/restore-progress.js';
import { createBackupDefinition, createCluster, createHook, expectStatus } from '../api/helpers/fixtures.js';
import { startBackupStack, type BackupStack } from '../backup/helpers/backup-stack.js';
import { jobAfterRun, runNow, untilClusterActive, type JobView } from '../backup/helpers/runs.js';
import { eventually, startEmulatedCluster, type EmulatedCluster } from '../emulator/helpers/cluster.js';
import { STORAGE_CLASS } from '../emulator/storage/storage-classes.js';
import { volumeSnapshotContents, volumeSnapshots } from '../emulator/support/kube-api.js';
import { deploySampleApp, type SampleApp } from '../fixtures/sample-app.js';
import { volumeDigest } from '../fixtures/volume-digest.js';
import { removeRestoredNamespaces } from './helpers/restored-namespaces.js';
import { uniqueName } from '../support/stack-env.js';
import { createStackS3Target } from '../backup/helpers/stack-target.js';

interface PointVolume {
  namespace: string;
  claim: string;
  storageClass: string;
  snapshotContentName?: string;
}

let stack: BackupStack;
let cluster: EmulatedCluster;
let app: SampleApp;
let clusterId: string;
let recoveryPointId: string;
let pointVolumes: PointVolume[];
const snapshotClasses = new Set<string>([STORAGE_CLASS.csi, STORAGE_CLASS.csiRetain]);
/** Namespaces the restores created; removed with their (partly Retain) PVs at the end. */
const restoredNamespaces: string[] = [];

async function createRestore(body: Record<string, unknown>): Promise<string> {
  return expectStatus<{ id: string }>(await stack.client.post('/restores', { name: uniqueName('restore'), recoveryPointId, targetClusterId: clusterId, ...body }), 201).id;
}

async function startRestore(restoreId: string): Promise<JobView> {
  return expectStatus<JobView>(await stack.client.post(`/restores/${restoreId}/actions/run`), 202);
}

async function progressOf(job: JobView): Promise<RestoreProgress> {
  return stack.temporal.workflow.getHandle(job.workflowId).query(restoreProgressQuery);
}

/** The digest of the data in the volume now bound to a claim. */
async function claimDigest(namespace: string, claim: string): Promise<{ pv: string; digest: string }> {
  const pvc = await cluster.api.core.readNamespacedPersistentVolumeClaim({ namespace, name: claim });
  const pv = await cluster.api.core.readPersistentVolume({ name: pvc.spec?.volumeName ?? '' });
  return { pv: pv.metadata?.name ?? '', digest: await volumeDigest(cluster.node.volumePath(pv)) };
}

async function restoreSnapshotsLeft(namespace: string): Promise<number> {
  const listed = (await cluster.api.custom.listNamespacedCustomObject({ ...volumeSnapshots, namespace, labelSelector: RESTORE_SNAPSHOT_LABELS.job })) as { items: unknown[] };
  return listed.items.length;
}

beforeAll(async () => {
  cluster = await startEmulatedCluster();
  app = await deploySampleApp(cluster.config, { prefix: `${cluster.prefix}-s`, volumes: cluster.node });
  stack = await startBackupStack();
  clusterId = (await createCluster(stack.client)).id;
  const storageTargetId = await createStackS3Target(stack, 'restore-snapshots');
  // The emulator has no kubelet behind the API server's exec: hooks run through its executor.
  await stack.startAgent(clusterId, { executor: cluster.node.executor });
  await untilClusterActive(stack.client, clusterId);

  const definitionId = (
    await createBackupDefinition(stack.client, clusterId, {
      selection: { scope: 'SELECTED_NAMESPACES', namespaces: Object.values(app.namespaces) },
      persistentVolumes: { mode: 'SNAPSHOT_ONLY' },
      advanced: { destinationStorageTargetId: storageTargetId },
    })
  ).id;
  const backup = await jobAfterRun(stack.client, stack.temporal, await runNow(stack.client, definitionId));
  expect(backup.status, backup.message).toBe('COMPLETED');
  const points = expectStatus<{ items: { id: string; jobId: string; contents: { persistentVolumes: PointVolume[] } }[] }>(await stack.client.get('/recovery-points'), 200);
  const point = points.items.find((p) => p.jobId === backup.id);
  if (!point) throw new Error(`backup job ${backup.id} recorded no recovery point`);
  recoveryPointId = point.id;
  pointVolumes = point.contents.persistentVolumes;

  // The emulator's default snapshot class deletes a snapshot's data with its namespace: the backup itself
  // retained the contents, so the point outlives the namespaces deleted here.
  await app.cleanup();
});

afterAll(async () => {
  await stack?.close();
  if (cluster) await removeRestoredNamespaces(cluster.api, restoredNamespaces);
  for (const volume of pointVolumes ?? []) {
    await cluster?.api.custom.deleteClusterCustomObject({ ...volumeSnapshotContents, name: volume.snapshotContentName ?? '' }).catch(() => undefined);
  }
  await app?.cleanup().catch(() => undefined);
  await cluster?.stop();
});

describe('restoring a snapshot-only recovery point after its namespaces were deleted', () => {
  let job: JobView;
  let progress: RestoreProgress;

  beforeAll(async () => {
    restoredNamespaces.push(...Object.values(app.namespaces));
    const restoreId = await createRestore({});
    job = await jobAfterRun(stack.client, stack.temporal, await startRestore(restoreId));
    progress = await progressOf(job);
  });

  it('records every snapshotted PV of the sample app in the point', () => {
    const expected = app.volumes.filter((v) => snapshotClasses.has(v.storageClass)).map((v) => `${v.namespace}/${v.name}`);
    expect(pointVolumes.map((v) => `${v.namespace}/${v.claim}`).sort()).toEqual(expected.sort());
    expect(expected.length).toBe(4);
  });

  it('completes, with every PV restored', () => {
    expect(job.status, JSON.stringify(job.errors)).toBe('COMPLETED');
    expect(job.message).toMatch(/; 4 of 4 PVs restored$/);
    expect(progress.step).toBe('COMPLETED');
    expect(progress.volumes?.map((v) => v.state)).toEqual(['BOUND', 'BOUND', 'BOUND', 'BOUND']);
  });

  it('fills every claim from its snapshot into a new volume, byte for byte', async () => {
    for (const volume of app.volumes.filter((v) => snapshotClasses.has(v.storageClass))) {
      const restored = await claimDigest(volume.namespace, volume.name);
      expect(restored.digest, `${volume.namespace}/${volume.name}`).toBe(volume.digest);
      expect(restored.pv).not.toBe(volume.pv);
    }
  });

  it('removes the snapshot sources it made', async () => {
    for (const namespace of Object.values(app.namespaces)) await eventually(async () => (await restoreSnapshotsLeft(namespace)) === 0, `restore snapshots in ${namespace} to go`);
  });
});

describe('restoring into renamed namespaces with a remapped class of the same driver and post-restore hooks', () => {
  const suffix = '-r';
  let job: JobView;
  let progress: RestoreProgress;
  let echoHook: string;
  let failingHook: string;

  beforeAll(async () => {
    // The cache Deployment's single pod: the StatefulSet's second pod may still be starting when hooks run.
    const echo = await createHook(stack.client, { type: 'POST_RESTORE', command: ['sh', '-c', 'echo restored'], podSelector: 'app:cache' });
    const failing = await createHook(stack.client, { type: 'POST_RESTORE', command: ['sh', '-c', 'exit 4'], podSelector: 'app:cache', onError: 'CONTINUE' });
    [echoHook, failingHook] = [echo.name, failing.name];
    const hookIds = [echo.id, failing.id];
    restoredNamespaces.push(...Object.values(app.namespaces).map((n) => `${n}${suffix}`));
    const restoreId = await createRestore({
      transforms: { namespaceSuffix: suffix, storageClassMapping: { [STORAGE_CLASS.csi]: STORAGE_CLASS.csiRetain } },
      hooks: { postRestore: hookIds },
    });
    job = await jobAfterRun(stack.client, stack.temporal, await startRestore(restoreId));
    progress = await progressOf(job);
  });


  it('fills the claims in the renamed namespaces from the source namespaces\' snapshots', async () => {
    for (const volume of app.volumes.filter((v) => snapshotClasses.has(v.storageClass))) {
      const namespace = `${volume.namespace}${suffix}`;
      const pvc = await cluster.api.core.readNamespacedPersistentVolumeClaim({ namespace, name: volume.name });
      expect(pvc.spec?.storageClassName).toBe(STORAGE_CLASS.csiRetain);
      expect((await claimDigest(namespace, volume.name)).digest, `${namespace}/${volume.name}`).toBe(volume.digest);
    }
    expect(progress.volumes?.every((v) => v.state === 'BOUND' && v.targetNamespace?.endsWith(suffix))).toBe(true);
  });

  it('runs the hooks in the restored pods of the renamed namespaces and ends PARTIAL for the CONTINUE hook that failed', () => {
    expect(job.status, job.message).toBe('PARTIAL');
    expect(job.message).toContain(`hooks: POST_RESTORE "${echoHook}" SUCCEEDED (1 pod); POST_RESTORE "${failingHook}" FAILED_CONTINUED (1 pod)`);
    expect(progress.hooks?.map((h) => h.pods)).toEqual([[expect.stringMatching(new RegExp(`^${app.namespaces.data}${suffix}/cache-`))], [expect.stringMatching(new RegExp(`^${app.namespaces.data}${suffix}/cache-`))]]);
    expect(job.errors).toEqual([expect.objectContaining({ message: expect.stringMatching(new RegExp(`^POST_RESTORE hook "${failingHook}" in pod ${app.namespaces.data}${suffix}/cache-[a-z0-9-]+ container \\S+ exited with code 4`)) })]);
  });
});

describe('a restore whose remap leaves the snapshot\'s CSI driver', () => {
  it('fails while validating, naming the claim, the class and both drivers, and creates nothing', async () => {
    const suffix = '-x';
    const restoreId = await createRestore({ transforms: { namespaceSuffix: suffix, storageClassMapping: { [STORAGE_CLASS.csi]: STORAGE_CLASS.csiNoSnapshot } } });
    const job = await jobAfterRun(stack.client, stack.temporal, await startRestore(restoreId));
    expect(job.status).toBe('FAILED');
    expect(job.message).toMatch(/^Validating the target cluster failed: PVs cannot be restored from their snapshots: claim \S+\/data-db-0: storage class "csi-files" is provisioned by files\.csi\.haven\.test, but its snapshot was taken by CSI driver hostpath\.csi\.k8s\.io/);
    await expect(cluster.api.core.readNamespace({ name: `${app.namespaces.data}${suffix}` })).rejects.toThrow();
  });
});

describe('cancelling a restore from the API', () => {
  it('stops the running hook and leaves a CANCELLED job', async () => {
    const suffix = '-c';
    const hook = await createHook(stack.client, { type: 'POST_RESTORE', command: ['sleep', '600'], podSelector: 'app:db', timeoutSeconds: 600 });
    restoredNamespaces.push(`${app.namespaces.data}${suffix}`);
    const restoreId = await createRestore({ selection: { namespaces: [app.namespaces.data] }, transforms: { namespaceSuffix: suffix }, hooks: { postRestore: [hook.id] } });
    const started = await startRestore(restoreId);
    await eventually(async () => (await progressOf(started)).step === 'RUNNING_POST_HOOKS', 'the restore to reach its post-restore hook', 300_000);
    expectStatus(await stack.client.post(`/jobs/${started.id}/actions/cancel`), 202);
    const job = await jobAfterRun(stack.client, stack.temporal, started);
    expect(job.status).toBe('CANCELLED');
    expect(job.message).toBe('Cancelled on request');
    expect((await progressOf(started)).step).toBe('CANCELLED');
  });
});
