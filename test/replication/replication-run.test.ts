import { expectNoSecretInHistories } from '../backup/helpers/history-scan.js';
import { recoveryPointDeletionWorkflowId } from '../../lib/domain/runs/recovery-point-deletion.js';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KubernetesObjectApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPLICA_LABELS } from '../../activities/cluster/replication/reset-namespaces.js';
import { replicationProgressQuery, type ReplicationProgress } from '../../workflows/replication-progress.js';
import { createCluster } from '../api/helpers/fixtures.js';
import { startBackupStack, type BackupStack } from '../backup/helpers/backup-stack.js';
import { createStackS3Target } from '../backup/helpers/stack-target.js';
import { untilClusterActive } from '../backup/helpers/runs.js';
import { startEmulatedCluster, type EmulatedCluster } from '../emulator/helpers/cluster.js';
import { STORAGE_CLASS } from '../emulator/storage/storage-classes.js';
import { deploySampleApp, type SampleApp } from '../fixtures/sample-app.js';
import { volumeDigest } from '../fixtures/volume-digest.js';
import { boundVolume } from '../restore/helpers/bound-volume.js';
import { removeRestoredNamespaces } from '../restore/helpers/restored-namespaces.js';
import { createReplication, jobsOf, recoveryPointIds, replicateNow, type JobWithKind } from './helpers/replication.js';

let stack: BackupStack;
let clusterA: EmulatedCluster;
let clusterB: EmulatedCluster;
let app: SampleApp;
let definitionId: string;
let storageTargetId: string;
/** Source namespace → destination namespace: cluster B's emulator acts only in namespaces with its prefix. */
let mapping: Record<string, string> = {};

/** The local class is not provisioned dynamically: its copies go into a CSI class on B. */
const CLASS_REMAP = { [STORAGE_CLASS.local]: STORAGE_CLASS.csi };

const progressOf = (job: JobWithKind): Promise<ReplicationProgress> => stack.temporal.workflow.getHandle(job.workflowId).query(replicationProgressQuery);

async function existsOnB(ref: { apiVersion: string; kind: string; namespace: string; name: string }): Promise<boolean> {
  const objects = KubernetesObjectApi.makeApiClient(clusterB.config);
  return objects.read({ apiVersion: ref.apiVersion, kind: ref.kind, metadata: { namespace: ref.namespace, name: ref.name } }).then(
    () => true,
    () => false,
  );
}

beforeAll(async () => {
  clusterA = await startEmulatedCluster();
  clusterB = await startEmulatedCluster({ envName: 'KUBECONFIG_B' });
  app = await deploySampleApp(clusterA.config, { prefix: `${clusterA.prefix}-r`, volumes: clusterA.node });
  mapping = Object.fromEntries(Object.entries(app.namespaces).map(([role, name]) => [name, `${clusterB.prefix}-${role}`]));
  stack = await startBackupStack();
  const [clusterIdA, clusterIdB] = [(await createCluster(stack.client)).id, (await createCluster(stack.client)).id];
  storageTargetId = await createStackS3Target(stack, 'replication');
  await stack.startAgent(clusterIdA, { executor: clusterA.node.executor });
  await stack.startAgent(clusterIdB, { executor: clusterB.node.executor, kubeConfig: clusterB.config });
  await untilClusterActive(stack.client, clusterIdA);
  await untilClusterActive(stack.client, clusterIdB);
  definitionId = await createReplication(stack, {
    sourceClusterId: clusterIdA,
    selection: { scope: 'SELECTED_NAMESPACES', namespaces: Object.values(app.namespaces) },
    advanced: { destinationStorageTargetId: storageTargetId, concurrentPvs: 2 },
    destination: { clusterId: clusterIdB, namespaces: Object.values(mapping) },
    transforms: { namespaceMapping: mapping, storageClassMapping: CLASS_REMAP },
  });
}, 600_000);

afterAll(async () => {
  await stack?.close();
  await app?.cleanup();
  if (clusterB) await removeRestoredNamespaces(clusterB.api, Object.values(mapping));
  await clusterA?.stop();
  await clusterB?.stop();
});

describe('a replication run of the sample app from cluster A to cluster B', () => {
  let job: JobWithKind;
  let progress: ReplicationProgress;

  beforeAll(async () => {
    job = await replicateNow(stack, definitionId);
    progress = await progressOf(job);
  }, 900_000);

  it('completes, with its backup, restore and the temporary point\'s deletion as jobs of their own', async () => {
    expect(job.status, `${job.message} ${JSON.stringify(job.errors)}`).toBe('COMPLETED');
    expect(progress.step).toBe('COMPLETED');
    expect(progress.namespaces).toEqual(mapping);
    const phases = (await jobsOf(stack, definitionId)).filter((j) => j.id !== job.id);
    expect(phases.map((j) => [j.kind, j.status, j.workflowId]).sort()).toEqual([
      ['BACKUP', 'COMPLETED', `${job.workflowId}-backup`],
      ['RECOVERY_POINT_DELETE', 'COMPLETED', recoveryPointDeletionWorkflowId(stack.orgId, progress.temporaryRecoveryPointId!)],
      ['RESTORE', 'COMPLETED', `${job.workflowId}-restore`],
    ]);
    // Neither the run nor its phases keep a credential, a key or a mover token in clear.
    await expectNoSecretInHistories(stack, [job.workflowId, ...phases.map((j) => j.workflowId)], storageTargetId);
    const backup = phases.find((j) => j.kind === 'BACKUP')!;
    expect(backup.bytesTransferred).toBeGreaterThan(0);
    expect(job.bytesTransferred).toBeGreaterThanOrEqual(backup.bytesTransferred);
    expect(job.filesTransferred).toBeGreaterThanOrEqual(backup.filesTransferred);
  });

  it('re-creates the destination namespaces marked as this run\'s replicas', async () => {
    for (const namespace of Object.values(mapping)) {
      const created = await clusterB.api.core.readNamespace({ name: namespace });
      expect(created.metadata?.labels?.[REPLICA_LABELS.job], namespace).toBe(job.id);
    }
  });

  it('puts every namespaced object of the app into its destination namespace', async () => {
    const namespaced = app.objects.filter((o): o is typeof o & { namespace: string } => Boolean(o.namespace));
    expect(namespaced.length).toBeGreaterThan(10);
    for (const object of namespaced) {
      const at = { ...object, namespace: mapping[object.namespace]! };
      expect(await existsOnB(at), `${object.kind} ${at.namespace}/${object.name}`).toBe(true);
    }
  });

  it('fills every PV on B with the bytes of A', async () => {
    for (const volume of app.volumes) {
      const replica = await boundVolume(clusterB, mapping[volume.namespace]!, volume.name);
      expect(replica.digest, `${volume.namespace}/${volume.name}`).toBe(volume.digest);
    }
  });

  it('deletes its temporary recovery point', async () => {
    expect(progress.temporaryRecoveryPointId).toBeDefined();
    expect(await recoveryPointIds(stack)).not.toContain(progress.temporaryRecoveryPointId);
  });
});

describe('a second run', () => {
  let job: JobWithKind;
  const changed = { claim: 'api-uploads', file: 'changed-on-a.txt', digest: '' };

  beforeAll(async () => {
    const volume = app.volumes.find((v) => v.name === changed.claim)!;
    await writeFile(join(volume.path, changed.file), `written after the first replication ${Date.now()}\n`);
    changed.digest = await volumeDigest(volume.path);
    await clusterA.api.core.deleteNamespacedConfigMap({ namespace: app.namespaces.shop, name: 'web-config' });
    await clusterB.api.core.createNamespacedConfigMap({ namespace: mapping[app.namespaces.shop]!, body: { metadata: { name: 'made-on-b' }, data: { a: 'b' } } });
    job = await replicateNow(stack, definitionId);
  }, 900_000);

  it('replaces what the first made: a file changed on A is on B, objects deleted on A or made on B are gone', async () => {
    expect(job.status, `${job.message} ${JSON.stringify(job.errors)}`).toBe('COMPLETED');
    const replica = await boundVolume(clusterB, mapping[app.namespaces.shop]!, changed.claim);
    expect(replica.digest).toBe(changed.digest);
    const shopOnB = mapping[app.namespaces.shop]!;
    expect(await existsOnB({ apiVersion: 'v1', kind: 'ConfigMap', namespace: shopOnB, name: 'web-config' })).toBe(false);
    expect(await existsOnB({ apiVersion: 'v1', kind: 'ConfigMap', namespace: shopOnB, name: 'made-on-b' })).toBe(false);
    expect(await existsOnB({ apiVersion: 'v1', kind: 'ConfigMap', namespace: mapping[app.namespaces.data]!, name: 'db-config' })).toBe(true);
  });
});
