import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { expectNoSecretInHistories, rawHistory } from '../backup/helpers/history-scan.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KIND_ATTRIBUTE } from '../../lib/common/temporal/names.js';
import type { RestoreOutcome } from '../../lib/domain/runs/restore-run.js';
import { createBackupDefinition, createCluster, expectStatus } from '../api/helpers/fixtures.js';
import { startBackupStack, type BackupStack } from '../backup/helpers/backup-stack.js';
import { jobAfterRun, runNow, untilClusterActive, type JobView } from '../backup/helpers/runs.js';
import { stackEnv, uniqueName } from '../support/stack-env.js';
import { createStackS3Target } from '../backup/helpers/stack-target.js';

const namespace = uniqueName('rr');
const prefix = 'rs-';
const restored = `${prefix}${namespace}`;
const settings = { color: 'teal', answer: '42' };
const password = Buffer.from('s3cr3t').toString('base64');

function kubeConfigOf(path: string): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(path);
  return kubeConfig;
}
const kubeA = kubeConfigOf(stackEnv('KUBECONFIG'));
const kubeB = kubeConfigOf(stackEnv('KUBECONFIG_B'));
const coreA = kubeA.makeApiClient(CoreV1Api);
const coreB = kubeB.makeApiClient(CoreV1Api);

let stack: BackupStack;
let restoreId: string;
let storageTargetId: string;
let targetClusterId: string;
let first: JobView;
let second: JobView;

async function runRestore(): Promise<{ job: JobView; outcome: RestoreOutcome | undefined }> {
  const started = expectStatus<JobView>(await stack.client.post(`/restores/${restoreId}/actions/run`), 202);
  const outcome = await stack.temporal.workflow
    .getHandle(started.workflowId)
    .result()
    .catch(() => undefined);
  return { job: await jobAfterRun(stack.client, stack.temporal, started), outcome: outcome as RestoreOutcome | undefined };
}

let firstOutcome: RestoreOutcome | undefined;
let secondOutcome: RestoreOutcome | undefined;

beforeAll(async () => {
  await coreA.createNamespace({ body: { metadata: { name: namespace } } });
  await coreA.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'settings' }, data: settings } });
  await coreA.createNamespacedSecret({ namespace, body: { metadata: { name: 'db' }, type: 'Opaque', data: { password } } });
  stack = await startBackupStack();
  storageTargetId = await createStackS3Target(stack, namespace);
  const sourceClusterId = (await createCluster(stack.client)).id;
  targetClusterId = (await createCluster(stack.client)).id;
  const definitionId = (
    await createBackupDefinition(stack.client, sourceClusterId, {
      selection: { scope: 'SELECTED_NAMESPACES', namespaces: [namespace] },
      advanced: { destinationStorageTargetId: storageTargetId },
    })
  ).id;
  await stack.startAgent(sourceClusterId);
  // The second cluster's agent talks to cluster B.
  await stack.startAgent(targetClusterId, { kubeConfig: kubeB });
  await untilClusterActive(stack.client, sourceClusterId);
  await untilClusterActive(stack.client, targetClusterId);

  const backup = await jobAfterRun(stack.client, stack.temporal, await runNow(stack.client, definitionId, { retentionDays: 3 }));
  expect(backup.status, backup.message).toBe('COMPLETED');
  const points = expectStatus<{ items: { id: string; jobId: string }[] }>(await stack.client.get('/recovery-points'), 200);
  const point = points.items.find((p) => p.jobId === backup.id);
  if (!point) throw new Error(`backup job ${backup.id} recorded no recovery point`);

  restoreId = expectStatus<{ id: string }>(
    await stack.client.post('/restores', {
      name: `restore ${namespace}`,
      recoveryPointId: point.id,
      targetClusterId,
      transforms: { namespacePrefix: prefix },
      existingResources: 'SKIP',
    }),
    201,
  ).id;
  ({ job: first, outcome: firstOutcome } = await runRestore());
  ({ job: second, outcome: secondOutcome } = await runRestore());
});

afterAll(async () => {
  await stack?.close();
  await coreA.deleteNamespace({ name: namespace }).catch(() => undefined);
  await coreB.deleteNamespace({ name: restored }).catch(() => undefined);
});

describe('a resources-only restore into another cluster', () => {
  it('completes the job, found in Temporal as a RESTORE run of the restore record', async () => {
    expect(first.status, first.message).toBe('COMPLETED');
    expect(first.errors).toEqual([]);
    expect(first.workflowId).toMatch(new RegExp(`^${stack.orgId}:restore-${restoreId}-\\d{8}T\\d{9}Z$`));
    const description = await stack.temporal.workflow.getHandle(first.workflowId).describe();
    expect(description.typedSearchAttributes.get(KIND_ATTRIBUTE)).toBe('RESTORE');
    // The namespace, the ConfigMap and the Secret at least.
    expect(firstOutcome).toMatchObject({ status: 'COMPLETED', counts: { FAILED: 0 } });
    if (firstOutcome?.status !== 'COMPLETED') throw new Error('no counts');
    expect(firstOutcome.counts.CREATED).toBeGreaterThanOrEqual(3);
    expect(first.message).toMatch(/^Restored resources: \d+ created, 0 updated, \d+ skipped, 0 failed$/);
  });

  it('leaves no credential, repository secret, key or the restored Secret\'s value in clear in its history', async () => {
    await expectNoSecretInHistories(stack, [first.workflowId], storageTargetId);
    const { bytes } = await rawHistory(stack, first.workflowId);
    expect(bytes.includes(Buffer.from(Buffer.from(password, 'base64').toString()))).toBe(false);
  });

  it('puts the objects in the second cluster under the prefixed namespace, with their data', async () => {
    const configMap = await coreB.readNamespacedConfigMap({ namespace: restored, name: 'settings' });
    expect(configMap.data).toEqual(settings);
    const secret = await coreB.readNamespacedSecret({ namespace: restored, name: 'db' });
    expect(secret.data).toEqual({ password });
    // The source namespace's name was never created on the target.
    await expect(coreB.readNamespace({ name: namespace })).rejects.toThrow();
  });

  it('skips what already exists on a second run under SKIP', () => {
    expect(second.status, second.message).toBe('COMPLETED');
    expect(secondOutcome).toMatchObject({ status: 'COMPLETED', counts: { CREATED: 0, UPDATED: 0, FAILED: 0 } });
    if (secondOutcome?.status !== 'COMPLETED' || firstOutcome?.status !== 'COMPLETED') throw new Error('no counts');
    expect(secondOutcome.counts.SKIPPED).toBe(firstOutcome.counts.CREATED + firstOutcome.counts.SKIPPED);
    expect(second.message).toMatch(/^Restored resources: 0 created, 0 updated, \d+ skipped, 0 failed$/);
  });
});
