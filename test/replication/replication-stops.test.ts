import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPLICA_LABELS } from '../../activities/cluster/replication/reset-namespaces.js';
import { progressQuery } from '../../workflows/backup-progress.js';
import { createCluster, createHook, expectStatus } from '../api/helpers/fixtures.js';
import { putCurrent } from '../api/helpers/test-api.js';
import { startBackupStack, type BackupStack } from '../backup/helpers/backup-stack.js';
import { createStackS3Target } from '../backup/helpers/stack-target.js';
import { jobAfterRun, untilClusterActive, type JobView } from '../backup/helpers/runs.js';
import { eventually, startEmulatedCluster, type EmulatedCluster } from '../emulator/helpers/cluster.js';
import { podInPhase } from '../emulator/helpers/objects.js';
import { createReplication, jobsOf, recoveryPointIds, replicateNow } from './helpers/replication.js';

let stack: BackupStack;
let cluster: EmulatedCluster;
let source: string;
let destination: string;
/** Source and destination at once: replicating within a cluster is allowed when the namespaces differ. */
let clusterId: string;

beforeAll(async () => {
  cluster = await startEmulatedCluster();
  source = await cluster.namespace('src');
  destination = await cluster.namespace('dst');
  await cluster.api.core.createNamespacedPod({
    namespace: source,
    body: { metadata: { name: 'db', labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'busybox:1.36' }] } },
  });
  await podInPhase(cluster.api, source, 'db', ['Running']);
  // What the previous run left on the destination: a cancelled run must leave it as it is.
  await cluster.api.core.createNamespacedConfigMap({ namespace: destination, body: { metadata: { name: 'previous-replica' }, data: { a: 'b' } } });
  stack = await startBackupStack();
  clusterId = (await createCluster(stack.client)).id;
  await stack.startAgent(clusterId, { executor: cluster.node.executor });
  await untilClusterActive(stack.client, clusterId);
}, 300_000);

afterAll(async () => {
  await stack?.close();
  await cluster?.stop();
});

describe('cancelling a replication run while its source hook runs', () => {
  let job: JobView;
  let phases: { kind: string; status: string }[] = [];

  beforeAll(async () => {
    // Holds the backup in its pre-backup hooks until the cancel reaches it.
    const hook = await createHook(stack.client, { type: 'PRE_BACKUP', command: ['/bin/sh', '-c', 'exec sleep 300'], podSelector: 'app:db', timeoutSeconds: 600 });
    const definitionId = await createReplication(stack, {
      sourceClusterId: clusterId,
      selection: { scope: 'SELECTED_NAMESPACES', namespaces: [source] },
      persistentVolumes: { include: false },
      advanced: { destinationStorageTargetId: await createStackS3Target(stack, 'replication-cancel') },
      destination: { clusterId: clusterId, namespaces: [destination] },
      transforms: { namespaceMapping: { [source]: destination } },
      hooks: { sourcePreBackup: [hook.id] },
    });
    const started = expectStatus<JobView>(await stack.client.post(`/replication-definitions/${definitionId}/actions/run`, {}), 202);
    const backup = stack.temporal.workflow.getHandle(`${started.workflowId}-backup`);
    await eventually(async () => (await backup.query(progressQuery)).step === 'RUNNING_PRE_HOOKS', 'the backup phase to run its pre-backup hook', 120_000);
    expectStatus(await stack.client.post(`/jobs/${started.id}/actions/cancel`), 202);
    job = await jobAfterRun(stack.client, stack.temporal, started);
    phases = (await jobsOf(stack, definitionId)).filter((j) => j.id !== job.id);
  }, 300_000);

  it('ends CANCELLED, saying in which step, and so does its backup phase', () => {
    expect(job.status, job.message).toBe('CANCELLED');
    expect(job.message).toBe('Cancelled on request while backing up the source to the temporary storage');
    expect(phases.map((p) => [p.kind, p.status])).toEqual([['BACKUP', 'CANCELLED']]);
  });

  it('leaves the destination namespace as the previous run left it, and records no recovery point', async () => {
    const namespace = await cluster.api.core.readNamespace({ name: destination });
    expect(namespace.metadata?.labels?.[REPLICA_LABELS.job]).toBeUndefined();
    const kept = await cluster.api.core.readNamespacedConfigMap({ namespace: destination, name: 'previous-replica' });
    expect(kept.data).toEqual({ a: 'b' });
    expect(await recoveryPointIds(stack)).toEqual([]);
  });
});

describe('a replication whose namespaces land in no destination namespace', () => {
  let job: JobView;

  beforeAll(async () => {
    const definitionId = await createReplication(stack, {
      sourceClusterId: clusterId,
      selection: { scope: 'SELECTED_NAMESPACES', namespaces: [source] },
      persistentVolumes: { include: false },
      advanced: { destinationStorageTargetId: await createStackS3Target(stack, 'replication-nowhere') },
      destination: { clusterId, namespaces: [destination] },
      transforms: { namespaceMapping: { [source]: `${destination}-elsewhere` } },
    });
    job = await replicateNow(stack, definitionId);
  }, 300_000);

  it('fails before deleting any destination namespace, saying where they would go, and deletes its temporary point', async () => {
    expect(job.status).toBe('FAILED');
    expect(job.message).toBe(
      `Deleting and re-creating the destination namespaces failed: no backed-up namespace lands in a destination namespace (${source} → ${destination}-elsewhere); list the renamed names as destination namespaces`,
    );
    const kept = await cluster.api.core.readNamespacedConfigMap({ namespace: destination, name: 'previous-replica' });
    expect(kept.data).toEqual({ a: 'b' });
    expect(await recoveryPointIds(stack)).toEqual([]);
  });
});


describe('a replication onto a namespace Haven did not create', () => {
  let handMade: string;
  let definitionId: string;
  let refused: JobView;

  beforeAll(async () => {
    // Made by hand, with an application in it: no managed-by label.
    handMade = await cluster.namespace('hand');
    await cluster.api.core.createNamespacedConfigMap({ namespace: handMade, body: { metadata: { name: 'their-app' }, data: { a: 'b' } } });
    definitionId = await createReplication(stack, {
      sourceClusterId: clusterId,
      selection: { scope: 'SELECTED_NAMESPACES', namespaces: [source] },
      persistentVolumes: { include: false },
      advanced: { destinationStorageTargetId: await createStackS3Target(stack, 'replication-unmanaged') },
      destination: { clusterId, namespaces: [handMade] },
      transforms: { namespaceMapping: { [source]: handMade } },
    });
    refused = await replicateNow(stack, definitionId);
  }, 300_000);

  it('fails naming the namespace and the override, and leaves it and its application as they were', async () => {
    expect(refused.status).toBe('FAILED');
    expect(refused.message).toMatch(
      new RegExp(`^Deleting and re-creating the destination namespaces failed: refusing to delete ${handMade}: not created by Haven .*destination\\.replaceUnmanagedNamespaces`),
    );
    const kept = await cluster.api.core.readNamespacedConfigMap({ namespace: handMade, name: 'their-app' });
    expect(kept.data).toEqual({ a: 'b' });
    expect((await cluster.api.core.readNamespace({ name: handMade })).metadata?.labels?.[REPLICA_LABELS.job]).toBeUndefined();
    expect(await recoveryPointIds(stack)).toEqual([]);
  });

  it('replaces it once an admin sets replaceUnmanagedNamespaces', async () => {
    // The stack's client is an admin's key.
    const withOverride = (current: Record<string, unknown>) => {
      const { id: _id, version: _v, createdAt: _c, updatedAt: _u, paused: _p, policyUsage: _pu, destination, ...input } = current;
      return { ...input, destination: { ...(destination as object), replaceUnmanagedNamespaces: true } };
    };
    expectStatus(await putCurrent(stack.client, `/replication-definitions/${definitionId}`, withOverride), 200);
    const job = await replicateNow(stack, definitionId);
    expect(job.status, job.message).toBe('COMPLETED');
    const namespace = await cluster.api.core.readNamespace({ name: handMade });
    expect(namespace.metadata?.labels?.[REPLICA_LABELS.job]).toBe(job.id);
    expect((await cluster.api.core.listNamespacedConfigMap({ namespace: handMade })).items.map((c) => c.metadata?.name)).not.toContain('their-app');
  }, 300_000);
});
