import { readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCluster, expectStatus } from '../api/helpers/fixtures.js';
import { startBackupStack, type BackupStack } from '../backup/helpers/backup-stack.js';
import { createStackS3Target } from '../backup/helpers/stack-target.js';
import { jobAfterRun, untilClusterActive, type JobView } from '../backup/helpers/runs.js';
import { startEmulatedCluster, type EmulatedCluster } from '../emulator/helpers/cluster.js';
import { deploySampleApp, type SampleApp } from '../fixtures/sample-app.js';
import type { SampleVolume } from '../fixtures/sample-app-volumes.js';
import { seededBytes } from '../fixtures/volume-data.js';
import { uniqueName } from '../support/stack-env.js';
import { boundVolume } from './helpers/bound-volume.js';
import { copyRecoveryPoint } from './helpers/copy-point.js';
import { removeRestoredNamespaces } from './helpers/restored-namespaces.js';

/**
 * Granular restores of a copy recovery point of the sample app, through the API: one ConfigMap alone,
 * one file of a PV into a new claim, one whole PV into a new claim in another namespace.
 */
let stack: BackupStack;
let cluster: EmulatedCluster;
let app: SampleApp;
let clusterId: string;
let recoveryPointId: string;
/** A Filesystem claim of the app, and the file of it restored alone (writeKnownData's small file 3). */
let volume: SampleVolume;
const ONE_FILE = 'small/03/file-3.txt';
let filesNamespace: string;

async function restoreJob(selection: Record<string, unknown>): Promise<JobView> {
  const restoreId = expectStatus<{ id: string }>(await stack.client.post('/restores', { name: uniqueName('granular'), recoveryPointId, targetClusterId: clusterId, selection }), 201).id;
  return jobAfterRun(stack.client, stack.temporal, expectStatus<JobView>(await stack.client.post(`/restores/${restoreId}/actions/run`), 202));
}

/** Every path below a directory, relative to it. */
async function treeOf(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true });
  return entries.map((e) => relative(directory, join(directory, e))).sort();
}

beforeAll(async () => {
  cluster = await startEmulatedCluster();
  app = await deploySampleApp(cluster.config, { prefix: `${cluster.prefix}-g`, volumes: cluster.node });
  filesNamespace = `${cluster.prefix}-g-files`;
  volume = app.volumes.find((v) => v.volumeMode !== 'Block')!;
  stack = await startBackupStack();
  clusterId = (await createCluster(stack.client)).id;
  const storageTargetId = await createStackS3Target(stack, 'granular-restore');
  await stack.startAgent(clusterId, { executor: cluster.node.executor });
  await untilClusterActive(stack.client, clusterId);
  recoveryPointId = (await copyRecoveryPoint(stack, clusterId, Object.values(app.namespaces), storageTargetId)).recoveryPointId;
  await app.cleanup();
}, 900_000);

afterAll(async () => {
  await stack?.close();
  if (cluster && app) await removeRestoredNamespaces(cluster.api, [...Object.values(app.namespaces), filesNamespace]);
  await cluster?.stop();
});

describe('restoring one ConfigMap of a recovery point', () => {
  let job: JobView;

  beforeAll(async () => {
    job = await restoreJob({ resources: [{ type: 'configmaps', namespace: app.namespaces.shop, name: 'web-config' }] });
  }, 600_000);

  it('creates that ConfigMap, with its namespace, and nothing else of the point', async () => {
    expect(job.status, JSON.stringify(job.errors)).toBe('COMPLETED');
    const shop = app.namespaces.shop;
    const restored = await cluster.api.core.readNamespacedConfigMap({ namespace: shop, name: 'web-config' });
    expect(restored.data?.['feature-flags']).toBe('checkout=on\n');
    const configMaps = await cluster.api.core.listNamespacedConfigMap({ namespace: shop });
    expect(configMaps.items.map((c) => c.metadata?.name).filter((n) => n !== 'kube-root-ca.crt')).toEqual(['web-config']);
    expect((await cluster.api.core.listNamespacedSecret({ namespace: shop })).items.filter((s) => s.type === 'Opaque')).toEqual([]);
    await expect(cluster.api.core.readNamespace({ name: app.namespaces.data })).rejects.toThrow();
  });
});

describe('restoring one file of a PV into a new claim', () => {
  let job: JobView;

  beforeAll(async () => {
    // Found by browsing the point first, as a user would.
    const files = expectStatus<{ items: { path: string; size: number }[] }>(
      await stack.client.get(`/recovery-points/${recoveryPointId}/volumes/${volume.namespace}/${volume.name}/files?path=small/03`),
      200,
    );
    expect(files.items.map((f) => f.path)).toContain(ONE_FILE);
    job = await restoreJob({ volumes: [{ namespace: volume.namespace, claim: volume.name, targetNamespace: filesNamespace, targetClaim: 'one-file', paths: [ONE_FILE] }] });
  }, 600_000);

  it('fills the new claim with that file and the directories above it, and nothing else', async () => {
    expect(job.status, `${job.message} ${JSON.stringify(job.errors)}`).toBe('COMPLETED');
    const restored = await boundVolume(cluster, filesNamespace, 'one-file');
    const root = cluster.node.volumePath(restored.pv);
    expect(await treeOf(root)).toEqual(['small', 'small/03', ONE_FILE]);
    expect((await readFile(join(root, ONE_FILE))).equals(seededBytes(`${volume.seed}/3`, 64 + 3))).toBe(true);
  });
});

describe('restoring one whole PV into a new claim in another namespace', () => {
  let job: JobView;

  beforeAll(async () => {
    job = await restoreJob({ volumes: [{ namespace: volume.namespace, claim: volume.name, targetNamespace: filesNamespace, targetClaim: 'whole-copy' }] });
  }, 600_000);

  it('fills it byte for byte, with the claim of the same size', async () => {
    expect(job.status, `${job.message} ${JSON.stringify(job.errors)}`).toBe('COMPLETED');
    const restored = await boundVolume(cluster, filesNamespace, 'whole-copy');
    expect(restored.digest).toBe(volume.digest);
    expect(restored.pvc.spec?.resources?.requests?.storage).toBeDefined();
    // The original claim was not brought back: only the new one was asked for.
    await expect(cluster.api.core.readNamespacedPersistentVolumeClaim({ namespace: volume.namespace, name: volume.name })).rejects.toThrow();
  });
});
