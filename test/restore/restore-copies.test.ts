import { AppsV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HELD_BY_LABEL, HELD_REPLICAS_ANNOTATION } from '../../activities/cluster/restore/held-workloads.js';
import { restoreProgressQuery } from '../../workflows/restore-progress.js';
import { createCluster, expectStatus } from '../api/helpers/fixtures.js';
import { startBackupStack, type BackupStack } from '../backup/helpers/backup-stack.js';
import { recordedCopies } from '../backup/helpers/run-repository.js';
import { jobAfterRun, untilClusterActive, type JobView } from '../backup/helpers/runs.js';
import { startEmulatedCluster, type EmulatedCluster } from '../emulator/helpers/cluster.js';
import { STORAGE_CLASS } from '../emulator/storage/storage-classes.js';
import { deploySampleApp, type SampleApp } from '../fixtures/sample-app.js';
import type { SampleVolume } from '../fixtures/sample-app-volumes.js';
import { uniqueName } from '../support/stack-env.js';
import { boundVolume } from './helpers/bound-volume.js';
import { copyRecoveryPoint } from './helpers/copy-point.js';
import { removeRestoredNamespaces } from './helpers/restored-namespaces.js';
import { createStackS3Target } from '../backup/helpers/stack-target.js';

let stack: BackupStack;
let clusterA: EmulatedCluster;
let clusterB: EmulatedCluster;
let app: SampleApp;
let clusterIdA: string;
let clusterIdB: string;
let recoveryPointId: string;
/** The sample app's claims the copy backup recorded (every one), with the digest of their data. */
let copied: SampleVolume[];
const restoredInB: string[] = [];

/** Every class of the source onto another class of cluster B: a copy goes into any dynamic class. */
const CLASS_REMAP = {
  [STORAGE_CLASS.csi]: STORAGE_CLASS.csiRetain,
  [STORAGE_CLASS.csiRetain]: STORAGE_CLASS.csi,
  [STORAGE_CLASS.nfs]: STORAGE_CLASS.csi,
  [STORAGE_CLASS.csiNoSnapshot]: STORAGE_CLASS.nfs,
  [STORAGE_CLASS.local]: STORAGE_CLASS.csi,
};

async function restoreJob(targetClusterId: string, body: Record<string, unknown>): Promise<JobView> {
  const restoreId = expectStatus<{ id: string }>(
    await stack.client.post('/restores', { name: uniqueName('restore'), recoveryPointId, targetClusterId, persistentVolumes: { concurrentPvs: 2, totalConcurrentFiles: 8 }, ...body }),
    201,
  ).id;
  return jobAfterRun(stack.client, stack.temporal, expectStatus<JobView>(await stack.client.post(`/restores/${restoreId}/actions/run`), 202));
}

beforeAll(async () => {
  clusterA = await startEmulatedCluster();
  clusterB = await startEmulatedCluster({ envName: 'KUBECONFIG_B' });
  app = await deploySampleApp(clusterA.config, { prefix: `${clusterA.prefix}-c`, volumes: clusterA.node });
  stack = await startBackupStack();
  clusterIdA = (await createCluster(stack.client)).id;
  clusterIdB = (await createCluster(stack.client)).id;
  const storageTargetId = await createStackS3Target(stack, 'restore-copies');
  await stack.startAgent(clusterIdA, { executor: clusterA.node.executor });
  await stack.startAgent(clusterIdB, { executor: clusterB.node.executor, kubeConfig: clusterB.config });
  await untilClusterActive(stack.client, clusterIdA);
  await untilClusterActive(stack.client, clusterIdB);

  const made = await copyRecoveryPoint(stack, clusterIdA, Object.values(app.namespaces), storageTargetId);
  const backup = made.backup;
  recoveryPointId = made.recoveryPointId;
  const copies = await recordedCopies(stack, backup.id);
  copied = app.volumes.filter((v) => copies.some((c) => c.namespace === v.namespace && c.claim === v.name));
  await app.cleanup();
}, 900_000);

afterAll(async () => {
  await stack?.close();
  if (clusterA && app) await removeRestoredNamespaces(clusterA.api, Object.values(app.namespaces));
  if (clusterB) await removeRestoredNamespaces(clusterB.api, restoredInB);
  await clusterA?.stop();
  await clusterB?.stop();
});

describe('a copy recovery point of the sample app', () => {
  it('holds every claim of the app, whatever its class', () => {
    expect(copied.map((v) => `${v.namespace}/${v.name}`).sort()).toEqual(app.volumes.map((v) => `${v.namespace}/${v.name}`).sort());
  });
});

describe('restoring PVs from their copies after the namespaces were deleted', () => {
  let job: JobView;

  beforeAll(async () => {
    job = await restoreJob(clusterIdA, {});
  }, 900_000);

  it('completes with every copied PV restored', async () => {
    expect(job.status, JSON.stringify(job.errors)).toBe('COMPLETED');
    expect(job.message).toMatch(new RegExp(`; ${copied.length} of ${copied.length} PVs restored$`));
    const progress = await stack.temporal.workflow.getHandle(job.workflowId).query(restoreProgressQuery);
    expect(progress.volumes?.map((v) => v.state)).toEqual(copied.map(() => 'FILLED'));
  });

  it('fills every new volume with the copy, byte for byte, in a newly provisioned PV', async () => {
    for (const volume of copied) {
      const restored = await boundVolume(clusterA, volume.namespace, volume.name);
      expect(restored.pv.metadata?.name, `${volume.namespace}/${volume.name}`).not.toBe(volume.pv);
      expect(restored.digest, `${volume.namespace}/${volume.name}`).toBe(volume.digest);
    }
  });

  it('held the workloads that mount copied claims at no replicas until the data was in, then gave them back', async () => {
    const apps = clusterA.config.makeApiClient(AppsV1Api);
    const db = await apps.readNamespacedStatefulSet({ namespace: app.namespaces.data, name: 'db' });
    const cache = await apps.readNamespacedDeployment({ namespace: app.namespaces.data, name: 'cache' });
    const web = await apps.readNamespacedDeployment({ namespace: app.namespaces.shop, name: 'web' });
    // Created with 0 replicas (generation 1), scaled back once (generation 2); web mounts no claim.
    expect([db.spec?.replicas, db.metadata?.generation, cache.spec?.replicas, cache.metadata?.generation]).toEqual([2, 2, 1, 2]);
    expect([web.spec?.replicas, web.metadata?.generation]).toEqual([2, 1]);
    for (const workload of [db, cache]) {
      expect(workload.metadata?.annotations?.[HELD_REPLICAS_ANNOTATION]).toBeUndefined();
      expect(workload.metadata?.labels?.[HELD_BY_LABEL]).toBeUndefined();
    }
  });

  it('removes its mover pods', async () => {
    for (const namespace of Object.values(app.namespaces)) {
      const pods = await clusterA.api.core.listNamespacedPod({ namespace, labelSelector: 'app.kubernetes.io/managed-by=haven' });
      expect(pods.items.filter((p) => !p.metadata?.deletionTimestamp).map((p) => p.metadata?.name)).toEqual([]);
    }
  });
});

describe('restoring the copies into the second cluster with renamed namespaces and remapped classes', () => {
  let job: JobView;
  let mapping: Record<string, string>;

  beforeAll(async () => {
    // Cluster B's emulator acts only in namespaces with its prefix.
    mapping = Object.fromEntries(Object.entries(app.namespaces).map(([role, name]) => [name, `${clusterB.prefix}-${role}`]));
    restoredInB.push(...Object.values(mapping));
    job = await restoreJob(clusterIdB, { transforms: { namespaceMapping: mapping, storageClassMapping: CLASS_REMAP } });
  }, 900_000);

  it('restores every copied PV', () => {
    expect(job.status, JSON.stringify(job.errors)).toBe('COMPLETED');
    expect(job.message).toMatch(new RegExp(`; ${copied.length} of ${copied.length} PVs restored$`));
  });

  it('fills each claim, in its renamed namespace and remapped class, byte for byte', async () => {
    for (const volume of copied) {
      const namespace = mapping[volume.namespace]!;
      const restored = await boundVolume(clusterB, namespace, volume.name);
      expect(restored.pvc.spec?.storageClassName, `${namespace}/${volume.name}`).toBe(CLASS_REMAP[volume.storageClass as keyof typeof CLASS_REMAP]);
      expect(restored.digest, `${namespace}/${volume.name}`).toBe(volume.digest);
    }
  });
});
