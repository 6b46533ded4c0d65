import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedContents } from '../../activities/control/recovery-points.js';
import { RESOURCES_VOLUME } from '../../proto/agent/index.js';
import { readCredentials, readRepositorySecret } from '../../lib/db/storage-target-secrets.js';
import { CLUSTER_ID_ATTRIBUTE, DEFINITION_ID_ATTRIBUTE, KIND_ATTRIBUTE } from '../../lib/common/temporal/names.js';
import { ENCRYPTED_ENCODING } from '../../lib/common/temporal/payload-codec.js';
import { openBackend } from '../../lib/datamover/cli/target.js';
import { Repository } from '../../lib/datamover/repository/repository.js';
import { runRestore } from '../../lib/datamover/restore/restore.js';
import { recoveryPoints, storageTargets } from '../../lib/db/schema/index.js';
import { progressQuery } from '../../workflows/backup-progress.js';
import { createBackupDefinition, createCluster, createS3Target, expectStatus } from '../api/helpers/fixtures.js';
import { stackEnv, uniqueName } from '../support/stack-env.js';
import { startBackupStack, type BackupStack } from './helpers/backup-stack.js';
import { jobAfterRun, runNow, untilClusterActive, type JobView } from './helpers/runs.js';

const namespace = uniqueName('bk');
const known = { color: 'teal', answer: '42' };
const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(stackEnv('KUBECONFIG'));
const core = kubeConfig.makeApiClient(CoreV1Api);

let stack: BackupStack;
let job: JobView;
let clusterId: string;
let definitionId: string;
let storageTargetId: string;

beforeAll(async () => {
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'settings', labels: { app: 'shop' } }, data: known } });
  stack = await startBackupStack();
  clusterId = (await createCluster(stack.client)).id;
  storageTargetId = (
    await createS3Target(stack.client, {
      endpoint: stackEnv('S3_ENDPOINT'),
      region: stackEnv('S3_REGION'),
      bucket: stackEnv('S3_BUCKET'),
      pathStyle: true,
      prefix: `tests/${namespace}`,
      credentials: { accessKeyId: stackEnv('S3_ACCESS_KEY_ID'), secretAccessKey: stackEnv('S3_SECRET_ACCESS_KEY') },
    })
  ).id;
  definitionId = (
    await createBackupDefinition(stack.client, clusterId, {
      selection: { scope: 'SELECTED_NAMESPACES', namespaces: [namespace] },
      advanced: { destinationStorageTargetId: storageTargetId },
    })
  ).id;
  await stack.startAgent(clusterId);
  await untilClusterActive(stack.client, clusterId);
  job = await jobAfterRun(stack.client, stack.temporal, await runNow(stack.client, definitionId, { retentionDays: 3 }));
});

afterAll(async () => {
  await stack?.close();
  await core.deleteNamespace({ name: namespace }).catch(() => undefined);
});

describe('a resources-only backup run', () => {
  it('completes the job with its timing and counts', () => {
    expect(job.status, job.message).toBe('COMPLETED');
    expect(job.message).toMatch(/^Backed up \d+ resources from 1 namespaces$/);
    expect(job.endedAt).not.toBeNull();
    expect(job.durationSeconds).toBeGreaterThanOrEqual(0);
    expect(job.filesTransferred).toBeGreaterThan(1);
    expect(job.workflowId).toMatch(new RegExp(`^${stack.orgId}:backup-${definitionId}-\\d{8}T\\d{9}Z$`));
  });

  it('records a recovery point with the namespaces, the resource count and the retention as expiry', async () => {
    const page = expectStatus<{ items: { jobId: string; contents: { namespaces: string[]; resourceCount: number }; createdAt: string; expiresAt: string; type: string; storageTargetId: string }[] }>(
      await stack.client.get('/recovery-points'),
      200,
    );
    const point = page.items.find((item) => item.jobId === job.id);
    expect(point).toBeDefined();
    expect(point?.type).toBe('COPY');
    expect(point?.storageTargetId).toBe(storageTargetId);
    expect(point?.contents.namespaces).toEqual([namespace]);
    // The namespace and its ConfigMap at least (kube-root-ca.crt and the default service account too).
    expect(point?.contents.resourceCount).toBeGreaterThanOrEqual(2);
    expect(Date.parse(point!.expiresAt) - Date.parse(point!.createdAt)).toBe(3 * 86_400_000);
  });

  it('stores the namespace\'s objects in the repository, where a restore finds them', async () => {
    const db = stack.api.running.database.db;
    const [point] = await db.select().from(recoveryPoints).where(eq(recoveryPoints.jobId, job.id));
    const [target] = await db.select().from(storageTargets).where(eq(storageTargets.id, storageTargetId));
    const secret = readRepositorySecret(stack.api.config.keyring, target!);
    const credentials = readCredentials(stack.api.config.keyring, target!);
    const backend = await openBackend({
      repository: `s3://${stackEnv('S3_BUCKET')}/tests/${namespace}/repository`,
      s3Endpoint: stackEnv('S3_ENDPOINT'),
      s3Region: stackEnv('S3_REGION'),
      s3PathStyle: true,
      s3AccessKeyId: credentials!.accessKeyId,
      s3SecretAccessKey: credentials!.secretAccessKey,
    });
    const repository = await Repository.open(backend, secret!);
    const snapshotId = (point!.contents as RecordedContents).resourcesSnapshotId;
    const snapshot = await repository.readSnapshot(snapshotId);
    expect(snapshot.volume).toBe(RESOURCES_VOLUME);
    expect(snapshot.tags).toMatchObject({ cluster: clusterId, definition: definitionId, job: job.id });

    const restored = await mkdtemp(join(tmpdir(), 'haven-restored-'));
    try {
      await runRestore(repository, { snapshotId, target: restored });
      const configMap = JSON.parse(await readFile(join(restored, 'namespaces', namespace, 'configmaps', 'settings.json'), 'utf8'));
      expect(configMap).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace, labels: { app: 'shop' } }, data: known });
      expect(configMap.metadata.managedFields).toBeUndefined();
      const index = JSON.parse(await readFile(join(restored, 'haven-export.json'), 'utf8'));
      expect(index).toMatchObject({ version: 1, clusterId, definitionId, jobId: job.id });
      expect(index.resources).toContainEqual({
        path: `namespaces/${namespace}/configmaps/settings.json`,
        typeId: 'configmaps',
        apiVersion: 'v1',
        kind: 'ConfigMap',
        namespace,
        name: 'settings',
        reason: 'selected',
      });
      expect(index.resources).toContainEqual(expect.objectContaining({ path: `cluster/namespaces/${namespace}.json`, reason: 'dependency' }));
    } finally {
      await rm(restored, { recursive: true, force: true });
    }
  });

  it('can be found in Temporal by cluster, definition and kind, and answers the progress query', async () => {
    const handle = stack.temporal.workflow.getHandle(job.workflowId);
    const description = await handle.describe();
    expect(description.typedSearchAttributes.get(CLUSTER_ID_ATTRIBUTE)).toBe(clusterId);
    expect(description.typedSearchAttributes.get(DEFINITION_ID_ATTRIBUTE)).toBe(definitionId);
    expect(description.typedSearchAttributes.get(KIND_ATTRIBUTE)).toBe('BACKUP');
    const progress = await handle.query(progressQuery);
    expect(progress).toMatchObject({ step: 'COMPLETED', description: 'Completed' });
    expect(progress.resourceCount).toBeGreaterThanOrEqual(2);
  });

  it('leaves no credential or repository secret in clear in the run\'s history', async () => {
    // A client WITHOUT the payload codec sees exactly what Temporal stores.
    const connection = await Connection.connect({ address: stackEnv('TEMPORAL_ADDRESS') });
    try {
      const raw = new Client({ connection, namespace: stack.api.config.workflowEngine!.namespace });
      const history = await raw.workflow.getHandle(job.workflowId).fetchHistory();
      const bytes = Buffer.from(temporal.api.history.v1.History.encode(history).finish());
      const db = stack.api.running.database.db;
      const [target] = await db.select().from(storageTargets).where(eq(storageTargets.id, storageTargetId));
      const secrets = [
        stackEnv('S3_SECRET_ACCESS_KEY'),
        stackEnv('S3_ACCESS_KEY_ID'),
        readRepositorySecret(stack.api.config.keyring, target!)!,
        stack.payloadKeyEntry.split(':')[1]!,
      ];
      for (const secret of secrets) expect(bytes.includes(Buffer.from(secret)), 'a secret is readable in history').toBe(false);
      // The search is sound: what is stored in clear (the task queue name) is found the same way...
      expect(bytes.includes(Buffer.from(stack.api.config.workflowEngine!.controlTaskQueue))).toBe(true);
      // ...and the payloads are there, encrypted, rather than missing.
      const encodings = (history.events ?? []).flatMap((event) =>
        (event.activityTaskScheduledEventAttributes?.input?.payloads ?? []).map((p) => Buffer.from(p.metadata?.encoding ?? []).toString()),
      );
      expect(encodings.length).toBeGreaterThan(0);
      expect(new Set(encodings)).toEqual(new Set([ENCRYPTED_ENCODING]));
    } finally {
      await connection.close();
    }
  });
});
