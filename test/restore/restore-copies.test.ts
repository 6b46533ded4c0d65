import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openOrInitRepository } from '../../activities/cluster/backup/open-repository.js';
import { repositoryAccessActivities } from '../../activities/control/repository-access.js';
import type { CopiedVolume } from '../../proto/mover/copied-volume.js';
import { createAgentWorker } from '../../services/agent/agent.js';
import { runBackup } from '../../services/datamover/backup/backup.js';
import { recoveryPoints } from '../../services/db/schema/index.js';
import { restoreProgressQuery } from '../../workflows/restore-progress.js';
import { createBackupDefinition, createCluster, createS3Target, expectStatus } from '../api/helpers/fixtures.js';
import { startBackupStack, type BackupStack } from '../backup/helpers/backup-stack.js';
import { jobAfterRun, runNow, untilClusterActive, type JobView } from '../backup/helpers/runs.js';
import { startEmulatedCluster, type EmulatedCluster } from '../emulator/helpers/cluster.js';
import { STORAGE_CLASS } from '../emulator/storage/storage-classes.js';
import { deploySampleApp, type SampleApp } from '../fixtures/sample-app.js';
import type { SampleVolume } from '../fixtures/sample-app-volumes.js';
import { volumeDigest } from '../fixtures/volume-digest.js';
import { removeRestoredNamespaces } from './helpers/restored-namespaces.js';
import { stackEnv, uniqueName } from '../support/stack-env.js';

let stack: BackupStack;
let cluster: EmulatedCluster;
let app: SampleApp;
let clusterId: string;
let recoveryPointId: string;
/** Every claim of a dynamically provisioned class: a copy can go back into any of them. */
let copied: SampleVolume[];

/**
 * A copy recovery point as the copy backup records it: the resources from a real backup run, and each
 * PV's data backed up by the data mover library into the same repository, listed in the point's contents.
 */
async function recordCopies(storageTargetId: string): Promise<void> {
  const engine = stack.api.config.workflowEngine!;
  const control = repositoryAccessActivities({
    db: stack.api.running.database.db,
    keyring: stack.api.config.keyring,
    temporal: { client: stack.temporal, namespace: engine.namespace },
    clock: () => new Date(),
  });
  const access = await control.resolveRepositoryAccess({ orgId: stack.orgId, storageTargetId, retention: { days: 3, safeLock: false } });
  const repository = await openOrInitRepository(access);
  const volumes: CopiedVolume[] = [];
  for (const v of copied) {
    const { snapshot } = await runBackup(repository, { source: v.path, volume: `${v.namespace}/${v.name}`, volumeMode: v.volumeMode === 'Block' ? 'block' : 'filesystem', sealWorkers: 0 });
    volumes.push({
      namespace: v.namespace,
      claim: v.name,
      storageClass: v.storageClass,
      sizeBytes: 0,
      method: 'COPY_FROM_LIVE_CLAIM',
      volumeName: v.pv,
      volumeMode: v.volumeMode,
      accessModes: ['ReadWriteOnce'],
      copySnapshotId: snapshot.id,
      copyBytes: snapshot.stats.bytes,
      copyFiles: snapshot.stats.files,
    });
  }
  const db = stack.api.running.database.db;
  const [point] = await db.select().from(recoveryPoints).where(eq(recoveryPoints.id, recoveryPointId));
  await db.update(recoveryPoints).set({ contents: { ...point!.contents, persistentVolumes: volumes } }).where(eq(recoveryPoints.id, recoveryPointId));
}

beforeAll(async () => {
  cluster = await startEmulatedCluster();
  app = await deploySampleApp(cluster.config, { prefix: `${cluster.prefix}-c`, volumes: cluster.node });
  copied = app.volumes.filter((v) => v.storageClass !== STORAGE_CLASS.local);
  stack = await startBackupStack();
  clusterId = (await createCluster(stack.client)).id;
  const storageTargetId = (
    await createS3Target(stack.client, {
      endpoint: stackEnv('S3_ENDPOINT'),
      region: stackEnv('S3_REGION'),
      bucket: stackEnv('S3_BUCKET'),
      pathStyle: true,
      prefix: `tests/${uniqueName('restore-copies')}`,
      credentials: { accessKeyId: stackEnv('S3_ACCESS_KEY_ID'), secretAccessKey: stackEnv('S3_SECRET_ACCESS_KEY') },
    })
  ).id;
  const engine = stack.api.config.workflowEngine!;
  stack.track(
    await createAgentWorker({
      connection: stack.connection,
      namespace: engine.namespace,
      clusterId,
      kubeConfig: cluster.config,
      payloadKeyring: engine.payloadKeyring,
      executor: cluster.node.executor,
      // Mover pods run the Haven image, which the node emulator runs as local processes of this checkout.
      mover: { image: 'haven/haven:test', temporalAddress: engine.address, temporalNamespace: engine.namespace, payloadKeyring: engine.payloadKeyring },
    }),
  );
  await untilClusterActive(stack.client, clusterId);

  const definitionId = (
    await createBackupDefinition(stack.client, clusterId, {
      selection: { scope: 'SELECTED_NAMESPACES', namespaces: Object.values(app.namespaces) },
      persistentVolumes: { include: false },
      advanced: { destinationStorageTargetId: storageTargetId },
    })
  ).id;
  const backup = await jobAfterRun(stack.client, stack.temporal, await runNow(stack.client, definitionId));
  expect(backup.status, backup.message).toBe('COMPLETED');
  const points = expectStatus<{ items: { id: string; jobId: string }[] }>(await stack.client.get('/recovery-points'), 200);
  recoveryPointId = points.items.find((p) => p.jobId === backup.id)!.id;
  await recordCopies(storageTargetId);
  await app.cleanup();
});

afterAll(async () => {
  await stack?.close();
  if (cluster && app) await removeRestoredNamespaces(cluster.api, Object.values(app.namespaces));
  await cluster?.stop();
});

describe('restoring PVs from their copies after the namespaces were deleted', () => {
  let job: JobView;

  beforeAll(async () => {
    const restoreId = expectStatus<{ id: string }>(
      await stack.client.post('/restores', { name: uniqueName('restore'), recoveryPointId, targetClusterId: clusterId, persistentVolumes: { concurrentPvs: 2, totalConcurrentFiles: 8 } }),
      201,
    ).id;
    job = await jobAfterRun(stack.client, stack.temporal, expectStatus<JobView>(await stack.client.post(`/restores/${restoreId}/actions/run`), 202));
  });

  it('completes with every copied PV restored', async () => {
    expect(job.status, JSON.stringify(job.errors)).toBe('COMPLETED');
    expect(job.message).toMatch(new RegExp(`; ${copied.length} of ${copied.length} PVs restored$`));
    const progress = await stack.temporal.workflow.getHandle(job.workflowId).query(restoreProgressQuery);
    expect(progress.volumes?.map((v) => v.state)).toEqual(copied.map(() => 'FILLED'));
  });

  it('fills every new volume with the copy, byte for byte, in a newly provisioned PV', async () => {
    for (const volume of copied) {
      const pvc = await cluster.api.core.readNamespacedPersistentVolumeClaim({ namespace: volume.namespace, name: volume.name });
      const pv = await cluster.api.core.readPersistentVolume({ name: pvc.spec?.volumeName ?? '' });
      expect(pv.metadata?.name, `${volume.namespace}/${volume.name}`).not.toBe(volume.pv);
      expect(await volumeDigest(cluster.node.volumePath(pv)), `${volume.namespace}/${volume.name}`).toBe(volume.digest);
    }
  });

  it('removes its mover pods', async () => {
    for (const namespace of Object.values(app.namespaces)) {
      const pods = await cluster.api.core.listNamespacedPod({ namespace, labelSelector: 'app.kubernetes.io/managed-by=haven' });
      expect(pods.items.filter((p) => !p.metadata?.deletionTimestamp).map((p) => p.metadata?.name)).toEqual([]);
    }
  });
});
