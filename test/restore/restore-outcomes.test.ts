import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackupDefinition, createCluster, expectStatus } from '../api/helpers/fixtures.js';
import { startBackupStack, type BackupStack } from '../backup/helpers/backup-stack.js';
import { jobAfterRun, runNow, untilClusterActive, type JobView } from '../backup/helpers/runs.js';
import { stackEnv, uniqueName } from '../support/stack-env.js';
import { createStackS3Target } from '../backup/helpers/stack-target.js';

const namespace = uniqueName('ro');
const prefix = 'ro-';
const target = `${prefix}${namespace}`;
const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(stackEnv('KUBECONFIG'));
const core = kubeConfig.makeApiClient(CoreV1Api);

let stack: BackupStack;
let clusterId: string;
let recoveryPointId: string;

async function restoreJob(body: Record<string, unknown>): Promise<JobView> {
  const restoreId = expectStatus<{ id: string }>(
    await stack.client.post('/restores', { name: uniqueName('restore'), recoveryPointId, targetClusterId: clusterId, transforms: { namespacePrefix: prefix }, ...body }),
    201,
  ).id;
  const started = expectStatus<JobView>(await stack.client.post(`/restores/${restoreId}/actions/run`), 202);
  return jobAfterRun(stack.client, stack.temporal, started);
}

beforeAll(async () => {
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'settings' }, data: { color: 'teal' } } });
  await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'flags' }, data: { beta: 'on' } } });
  await core.createNamespacedSecret({ namespace, body: { metadata: { name: 'db' }, type: 'Opaque', stringData: { password: 's3cr3t' } } });
  stack = await startBackupStack();
  const storageTargetId = await createStackS3Target(stack, namespace);
  clusterId = (await createCluster(stack.client)).id;
  const definitionId = (
    await createBackupDefinition(stack.client, clusterId, { selection: { scope: 'SELECTED_NAMESPACES', namespaces: [namespace] }, advanced: { destinationStorageTargetId: storageTargetId } })
  ).id;
  await stack.startAgent(clusterId);
  await untilClusterActive(stack.client, clusterId);
  const backup = await jobAfterRun(stack.client, stack.temporal, await runNow(stack.client, definitionId, { retentionDays: 3 }));
  expect(backup.status, backup.message).toBe('COMPLETED');
  const points = expectStatus<{ items: { id: string; jobId: string }[] }>(await stack.client.get('/recovery-points'), 200);
  recoveryPointId = points.items.find((p) => p.jobId === backup.id)!.id;
});

afterAll(async () => {
  await stack?.close();
  for (const name of [namespace, target]) await core.deleteNamespace({ name }).catch(() => undefined);
});

describe('a restore in which some objects cannot be written', () => {
  it('ends PARTIAL, restores the rest, and names every failed object with the server\'s reason', async () => {
    // Immutable objects with other contents on the target: UPDATE cannot replace them.
    await core.createNamespace({ body: { metadata: { name: target } } });
    await core.createNamespacedConfigMap({ namespace: target, body: { metadata: { name: 'settings' }, immutable: true, data: { color: 'red' } } });
    await core.createNamespacedSecret({ namespace: target, body: { metadata: { name: 'db' }, immutable: true, type: 'Opaque', stringData: { password: 'other' } } });

    const job = await restoreJob({ existingResources: 'UPDATE' });
    expect(job.status, job.message).toBe('PARTIAL');
    expect(job.message).toMatch(/^Restored resources: \d+ created, \d+ updated, \d+ skipped, 2 failed$/);
    expect(job.errors.map((e) => e.message).sort()).toEqual([
      expect.stringMatching(new RegExp(`^ConfigMap configmaps/${target}/settings not restored: .*HTTP 422.*immutable`)),
      expect.stringMatching(new RegExp(`^Secret secrets/${target}/db not restored: .*HTTP 422.*immutable`)),
    ]);
    expect((await core.readNamespacedConfigMap({ namespace: target, name: 'flags' })).data).toEqual({ beta: 'on' });
  });
});

describe('a restore whose storage-class remap names a class the target lacks', () => {
  it('fails while validating, naming the class', async () => {
    const job = await restoreJob({ transforms: { namespacePrefix: 'rm-', storageClassMapping: { standard: 'no-such-class' } } });
    expect(job.status).toBe('FAILED');
    expect(job.message).toBe('Validating the target cluster failed: the target cluster has no storage class "no-such-class" that the storage-class remap names');
    expect(job.errors).toEqual([{ message: job.message }]);
    await expect(core.readNamespace({ name: `rm-${namespace}` })).rejects.toThrow();
  });
});

describe('a restore into a cluster whose agent is not connected', () => {
  it('fails (it was asked for: it is not skipped) with the reason', async () => {
    const idle = (await createCluster(stack.client)).id;
    const restoreId = expectStatus<{ id: string }>(
      await stack.client.post('/restores', { name: uniqueName('restore'), recoveryPointId, targetClusterId: idle, transforms: { namespacePrefix: 'nc-' } }),
      201,
    ).id;
    const job = await jobAfterRun(stack.client, stack.temporal, expectStatus<JobView>(await stack.client.post(`/restores/${restoreId}/actions/run`), 202));
    expect(job.status).toBe('FAILED');
    expect(job.skipReason).toBeNull();
    expect(job.message).toBe(`Validating the target cluster failed: agent not connected: no agent has polled cluster.${idle}; install the agent with the manifest from the cluster's registration`);
  });
});
