import { join } from 'node:path';
import { AuthenticationV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_PERMISSIONS_LABEL } from '../../services/api/resources/clusters/agent-rbac.js';
import type { ClusterInventory } from '../../services/api/resources/clusters/inventory-schema.js';
import { createBackupDefinition, createCluster, createHook, expectStatus } from '../api/helpers/fixtures.js';
import { startBackupStack, type BackupStack } from '../backup/helpers/backup-stack.js';
import { DATA_MOUNT, deployEmulatedApp, dropKeptSnapshots, listSnapshots, type EmulatedApp } from '../backup/helpers/emulated-app.js';
import { jobLeftovers } from '../backup/helpers/leftovers.js';
import { recordedCopies } from '../backup/helpers/run-repository.js';
import { jobAfterRun, runNow, untilClusterActive, type JobView } from '../backup/helpers/runs.js';
import { createStackS3Target } from '../backup/helpers/stack-target.js';
import { eventually, startEmulatedCluster, type EmulatedCluster } from '../emulator/helpers/cluster.js';
import { SNAPSHOT_CLASS, STORAGE_CLASS } from '../emulator/storage/storage-classes.js';
import { volumeDigest } from '../fixtures/volume-digest.js';
import { boundVolume } from '../restore/helpers/bound-volume.js';
import { removeRestoredNamespaces } from '../restore/helpers/restored-namespaces.js';
import { relocatedInstall, type RelocatedInstall } from './helpers/relocated-install.js';

/**
 * A backup and a restore run by an agent whose kubeconfig is its service account's token, bound by exactly
 * the install manifest's rules: any call the rules do not cover fails the run. The backup runs with the
 * backup permissions alone; the restore permissions are applied before the restore, as a cluster that
 * starts taking restores would. The node emulator plays the kubelet and the CSI driver with its own admin
 * kubeconfig, as they have their own credentials in a real cluster.
 */
let cluster: EmulatedCluster;
let app: EmulatedApp;
let stack: BackupStack;
let install: RelocatedInstall;
let agentConfig: KubeConfig;
let clusterId: string;
let restoredNamespace: string;
const settings = { color: 'teal', answer: '42' };
const password = Buffer.from('s3cr3t').toString('base64');
const HOOK_MARKER = 'hooked-by-agent';

const isRestorePermission = (document: { metadata?: { labels?: Record<string, string> } }) => document.metadata?.labels?.[AGENT_PERMISSIONS_LABEL] === 'restore';

beforeAll(async () => {
  cluster = await startEmulatedCluster();
  app = await deployEmulatedApp(cluster, { label: 'lp' });
  await cluster.api.core.createNamespacedConfigMap({ namespace: app.namespace, body: { metadata: { name: 'settings' }, data: settings } });
  await cluster.api.core.createNamespacedSecret({ namespace: app.namespace, body: { metadata: { name: 'db' }, type: 'Opaque', data: { password } } });
  restoredNamespace = `${cluster.prefix}-restored`;
  stack = await startBackupStack();
  const registered = await createCluster(stack.client);
  clusterId = registered.id;
  // The Deployment is left out: this process runs the agent, with the token the Deployment's pod would have.
  install = relocatedInstall(cluster.config, registered.agentManifest, { manager: 'haven-least-privilege-test', keep: (document) => document.kind !== 'Deployment' });
  await install.apply((document) => !isRestorePermission(document));
  agentConfig = await install.agentKubeConfig();
  await stack.startAgent(clusterId, { executor: cluster.node.executor, kubeConfig: agentConfig });
  await untilClusterActive(stack.client, clusterId);
}, 240_000);

afterAll(async () => {
  await stack?.close();
  if (cluster && app) await dropKeptSnapshots(cluster, app.namespace);
  if (cluster) await removeRestoredNamespaces(cluster.api, [restoredNamespace]);
  await install?.remove();
  await cluster?.stop();
});

it('gives the agent its service account\'s identity, not an administrator\'s', async () => {
  const review = await agentConfig.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({ body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } });
  expect(review.status?.userInfo?.username).toBe(install.serviceAccountUser);
  expect(review.status?.userInfo?.groups).not.toContain('system:masters');
});

describe('with the backup permissions only', () => {
  let job: JobView;

  beforeAll(async () => {
    const storageTargetId = await createStackS3Target(stack, 'least-privilege');
    const hook = await createHook(stack.client, { type: 'PRE_BACKUP', command: ['touch', join(DATA_MOUNT, HOOK_MARKER)], podSelector: 'app:db' });
    const definitionId = (
      await createBackupDefinition(stack.client, clusterId, {
        selection: { scope: 'SELECTED_NAMESPACES', namespaces: [app.namespace] },
        // Kept snapshots have their contents switched to Retain: the one snapshot write beyond create and delete.
        persistentVolumes: { mode: 'BACKUP_TO_OBJECT_STORAGE', preserveSnapshots: true },
        advanced: { destinationStorageTargetId: storageTargetId },
        hooks: { preBackup: [hook.id] },
      })
    ).id;
    job = await jobAfterRun(stack.client, stack.temporal, await runNow(stack.client, definitionId));
  }, 300_000);

  it('lists the cluster\'s inventory: namespaces, CSI drivers, snapshot classes and discovery need no rule of their own', async () => {
    const inventory = expectStatus<ClusterInventory>(await stack.client.get(`/clusters/${clusterId}/inventory`), 200);
    expect(inventory.namespaces.map((ns) => ns.name)).toContain(app.namespace);
    expect(inventory.storageClasses.find((sc) => sc.name === STORAGE_CLASS.csi)).toMatchObject({ csiDriver: true, snapshotClass: SNAPSHOT_CLASS.delete });
    expect(inventory.resourceTypes.map((type) => type.id)).toContain('volumesnapshots.snapshot.storage.k8s.io');
  });

  it('is refused what only restores do: the API server answers 403 to creating a namespace', async () => {
    const attempt = await agentConfig
      .makeApiClient(CoreV1Api)
      .createNamespace({ body: { metadata: { name: restoredNamespace } } })
      .then(() => 201, (error: { code?: number }) => error.code);
    expect(attempt).toBe(403);
  });

  it('backs up the namespace, its hook run and its volume copied, and leaves nothing of the job behind', async () => {
    expect(job.status, `${job.message} ${JSON.stringify(job.errors)}`).toBe('COMPLETED');
    expect(job.errors).toEqual([]);
    expect(job.message).toMatch(/1 of 1 PVs copied/);
    expect(job.message).toMatch(/PRE_BACKUP "[^"]+" SUCCEEDED \(1 pod\)/);
    const [copy] = await recordedCopies(stack, job.id);
    expect(copy).toMatchObject({ namespace: app.namespace, claim: app.dataClaim });
    expect(copy?.snapshotName).toBeTruthy();
    // The kept snapshot is not a leftover: it belongs to the recovery point.
    expect((await jobLeftovers(cluster, job.id)).filter((left) => !left.startsWith('volumesnapshot '))).toEqual([]);
  });

  describe('then with the restore permissions applied', () => {
    let restore: JobView;
    let recoveryPointId: string | undefined;

    beforeAll(async () => {
      await install.apply(isRestorePermission);
      const points = expectStatus<{ items: { id: string; jobId: string }[] }>(await stack.client.get('/recovery-points'), 200);
      recoveryPointId = points.items.find((point) => point.jobId === job.id)?.id;
      const restoreId = expectStatus<{ id: string }>(
        await stack.client.post('/restores', {
          name: `restore ${app.namespace}`,
          recoveryPointId,
          targetClusterId: clusterId,
          transforms: { namespaceMapping: { [app.namespace]: restoredNamespace } },
        }),
        201,
      ).id;
      restore = await jobAfterRun(stack.client, stack.temporal, expectStatus<JobView>(await stack.client.post(`/restores/${restoreId}/actions/run`), 202));
    }, 300_000);

    it('restores into a new namespace with every resource written and the volume filled', () => {
      expect(restore.status, `${restore.message} ${JSON.stringify(restore.errors)}`).toBe('COMPLETED');
      expect(restore.errors).toEqual([]);
      expect(restore.message).toMatch(/, 0 failed; 1 of 1 PVs restored$/);
    });

    it('puts the objects in the new namespace, with their data and the volume\'s bytes', async () => {
      const configMap = await cluster.api.core.readNamespacedConfigMap({ namespace: restoredNamespace, name: 'settings' });
      expect(configMap.data).toEqual(settings);
      const secret = await cluster.api.core.readNamespacedSecret({ namespace: restoredNamespace, name: 'db' });
      expect(secret.data).toEqual({ password });
      const restored = await boundVolume(cluster, restoredNamespace, app.dataClaim);
      expect(restored.pv.metadata?.name).not.toBe(app.dataVolume.metadata?.name);
      // The source holds the hook's marker since the backup: the copy was taken after the hook ran.
      expect(restored.digest).toBe(await volumeDigest(app.dataPath));
    });

    it('deletes the recovery point\'s kept snapshot, its data included, when the point is deleted', async () => {
      const { workflowId } = expectStatus<{ workflowId: string }>(await stack.client.delete(`/recovery-points/${recoveryPointId}`), 202);
      expect(await stack.temporal.workflow.getHandle(workflowId).result()).toMatchObject({ status: 'DELETED', snapshotsDeleted: 1 });
      await eventually(async () => (await listSnapshots(cluster, app.namespace)).length === 0, 'the kept VolumeSnapshot to be deleted');
    });
  });
});
