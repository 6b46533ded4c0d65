import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedContents } from '../../activities/control/recovery-points.js';
import { readCredentials, readRepositorySecret } from '../../lib/db/storage-target-secrets.js';
import { openBackend } from '../../lib/datamover/cli/target.js';
import { Repository } from '../../lib/datamover/repository/repository.js';
import { runRestore } from '../../lib/datamover/restore/restore.js';
import { recoveryPoints, storageTargets } from '../../lib/db/schema/index.js';
import type { BackupPreview } from '../../services/api/resources/backup-definitions/preview-schema.js';
import { createBackupDefinition, createCluster, createStackS3Target, expectStatus } from '../api/helpers/fixtures.js';
import { authorized } from '../api/helpers/test-api.js';
import { startBackupStack, type BackupStack } from '../backup/helpers/backup-stack.js';
import { deployEmulatedApp, type EmulatedApp } from '../backup/helpers/emulated-app.js';
import { jobAfterRun, runNow, untilClusterActive } from '../backup/helpers/runs.js';
import { eventually, startEmulatedCluster, type EmulatedCluster } from '../emulator/helpers/cluster.js';
import { stackEnv, uniqueName } from '../support/stack-env.js';

const prefix = `tests/${uniqueName('preview')}`;
let stack: BackupStack;
let cluster: EmulatedCluster;
let app: EmulatedApp;
let clusterId: string;
let storageTargetId: string;
let definitionId: string;

async function preview(id: string, body: Record<string, unknown> = {}) {
  return stack.client.post(`/backup-definitions/${id}/preview`, body);
}

beforeAll(async () => {
  cluster = await startEmulatedCluster();
  app = await deployEmulatedApp(cluster, { unsnapshottableClaim: true });
  // Pod volumes outside any PV: the preview must name them rather than drop them silently.
  await cluster.api.core.createNamespacedPod({
    namespace: app.namespace,
    body: {
      metadata: { name: 'cache', labels: { app: 'cache' } },
      spec: {
        containers: [{ name: 'cache', image: 'busybox' }],
        volumes: [
          { name: 'scratch', emptyDir: {} },
          { name: 'node-logs', hostPath: { path: '/var/log' } },
        ],
      },
    },
  });
  await cluster.api.core.createNamespacedConfigMap({ namespace: app.namespace, body: { metadata: { name: 'settings' }, data: { a: '1' } } });
  stack = await startBackupStack();
  clusterId = (await createCluster(stack.client)).id;
  storageTargetId = (await createStackS3Target(stack.client, prefix)).id;
  definitionId = (
    await createBackupDefinition(stack.client, clusterId, {
      selection: { scope: 'SELECTED_NAMESPACES', namespaces: [app.namespace] },
      persistentVolumes: { mode: 'SNAPSHOT_ONLY' },
      advanced: { destinationStorageTargetId: storageTargetId },
    })
  ).id;
  await stack.startAgent(clusterId, { executor: cluster.node.executor });
  await untilClusterActive(stack.client, clusterId);
});

afterAll(async () => {
  await stack?.close();
  await cluster?.stop();
});

describe('previewing a backup definition on the cluster\'s agent', () => {
  let shown: BackupPreview;
  let exported: { typeId: string; namespace?: string; name: string }[];
  let contents: RecordedContents & { namespaces: string[]; resourceCount: number; persistentVolumes: { namespace: string; claim: string }[] };

  beforeAll(async () => {
    // A viewer may preview (it changes nothing); another organization's key does not see the definition.
    const { keys } = await stack.api.createOrganization('other-org');
    expect((await authorized(stack.api.app, keys.viewer).post(`/backup-definitions/${definitionId}/preview`, {})).statusCode).toBe(404);
    const viewerKey = expectStatus<{ key: string }>(await stack.client.post('/api-keys', { name: 'viewer', role: 'viewer' }), 201).key;
    shown = expectStatus<BackupPreview>(await authorized(stack.api.app, viewerKey).post(`/backup-definitions/${definitionId}/preview`, { maxNamesPerType: 1000 }), 200);

    const job = await jobAfterRun(stack.client, stack.temporal, await runNow(stack.client, definitionId));
    expect(job.status, job.message).toBe('COMPLETED');
    const db = stack.api.running.database.db;
    const [point] = await db.select().from(recoveryPoints).where(eq(recoveryPoints.jobId, job.id));
    contents = point!.contents as typeof contents;
    const [target] = await db.select().from(storageTargets).where(eq(storageTargets.id, storageTargetId));
    const credentials = readCredentials(stack.api.config.keyring, target!)!;
    const backend = await openBackend({
      repository: `s3://${stackEnv('S3_BUCKET')}/${prefix}/repository`,
      s3Endpoint: stackEnv('S3_ENDPOINT'),
      s3Region: stackEnv('S3_REGION'),
      s3PathStyle: true,
      s3AccessKeyId: credentials.accessKeyId,
      s3SecretAccessKey: credentials.secretAccessKey,
    });
    const repository = await Repository.open(backend, readRepositorySecret(stack.api.config.keyring, target!)!);
    const restored = await mkdtemp(join(tmpdir(), 'haven-preview-'));
    try {
      await runRestore(repository, { snapshotId: contents.resourcesSnapshotId, target: restored });
      exported = JSON.parse(await readFile(join(restored, 'haven-export.json'), 'utf8')).resources;
    } finally {
      await rm(restored, { recursive: true, force: true });
    }
  });

  it('lists exactly the objects the run then exported, by type', () => {
    const previewed = shown.resourceTypes.flatMap((type) => type.names.map((name) => `${type.typeId} ${name}`)).sort();
    const stored = exported.map((r) => `${r.typeId} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`).sort();
    expect(previewed).toEqual(stored);
    expect(shown.resourceCount).toBe(contents.resourceCount);
    expect(shown.namespaces).toEqual(contents.namespaces);
    expect(shown.resourceTypes.every((type) => !type.truncated && type.count === type.names.length)).toBe(true);
    expect(shown.resourceTypes.find((type) => type.typeId === 'configmaps')?.names).toContain(`${app.namespace}/settings`);
  });

  it('gives each claim the method the run used: the snapshot-capable one snapshotted, the other skipped with why', () => {
    expect(shown.volumes).toEqual([
      expect.objectContaining({ namespace: app.namespace, claim: 'data', method: 'SNAPSHOT', volumeName: app.dataVolume.metadata?.name }),
      expect.objectContaining({ namespace: app.namespace, claim: 'files', method: 'SKIP', reason: expect.stringMatching(/no VolumeSnapshotClass for CSI driver/) }),
    ]);
    const snapshotted = shown.volumes.filter((v) => v.method === 'SNAPSHOT').map((v) => `${v.namespace}/${v.claim}`);
    expect(contents.persistentVolumes.map((v) => `${v.namespace}/${v.claim}`)).toEqual(snapshotted);
  });

  it('names the hostPath and emptyDir volumes that are never backed up', () => {
    expect(shown.notBackedUp).toEqual([
      { namespace: app.namespace, pod: 'cache', volume: 'scratch', type: 'emptyDir' },
      { namespace: app.namespace, pod: 'cache', volume: 'node-logs', type: 'hostPath' },
    ]);
  });

  it('can be found in Temporal by definition and kind BACKUP_PREVIEW', async () => {
    const query = `HavenDefinitionId = "${definitionId}" AND HavenKind = "BACKUP_PREVIEW"`;
    // Visibility is eventually consistent: wait for the preview run to show.
    const found = await eventually(async () => {
      const ids: string[] = [];
      for await (const run of stack.temporal.workflow.list({ query })) ids.push(run.workflowId);
      return ids.length > 0 ? ids : undefined;
    }, 'the preview run to show in Temporal visibility');
    expect(found.every((id) => id.startsWith(`${stack.orgId}:preview-${definitionId}-`))).toBe(true);
  });

  it('caps the names per type and says so, while counts stay complete', async () => {
    const capped = expectStatus<BackupPreview>(await preview(definitionId, { maxNamesPerType: 1 }), 200);
    const configMaps = capped.resourceTypes.find((type) => type.typeId === 'configmaps');
    expect(configMaps).toMatchObject({ count: 2, truncated: true });
    expect(configMaps?.names).toHaveLength(1);
    // The run above left its snapshots in the namespace, so only the capped answer's own totals are compared.
    expect(capped.resourceTypes.reduce((sum, type) => sum + type.count, 0)).toBe(capped.resourceCount);
  });

  it('answers 409 agent-not-connected naming the cluster when no agent ever polled', async () => {
    const idle = await createCluster(stack.client, { name: 'idle-cluster' });
    const definition = await createBackupDefinition(stack.client, idle.id, { advanced: { destinationStorageTargetId: storageTargetId } });
    const refused = expectStatus<{ code: string; detail: string }>(await preview(definition.id), 409);
    expect(refused.code).toBe('agent-not-connected');
    expect(refused.detail).toBe(`cluster "idle-cluster" (${idle.id}) is PENDING: no agent has connected yet; install it with the manifest from the registration`);
  });

  it('answers 504 agent-timeout with the reason when the agent stops answering', async () => {
    const gone = await createCluster(stack.client);
    const definition = await createBackupDefinition(stack.client, gone.id, { advanced: { destinationStorageTargetId: storageTargetId } });
    const agent = await stack.startAgent(gone.id);
    await untilClusterActive(stack.client, gone.id);
    await agent.stop();
    // Its last poll is recent, so the cluster still counts as connected: only the bound can answer.
    const timedOut = expectStatus<{ code: string; detail: string }>(await preview(definition.id, { timeoutSeconds: 2 }), 504);
    expect(timedOut.code).toBe('agent-timeout');
    expect(timedOut.detail).toBe(`the agent of cluster ${gone.id} did not answer the preview within 2 s; check that it runs and can reach Temporal, then retry`);
  });
});

describe('previewing a backup to object storage', () => {
  it('gives each claim the copy method the run then records: from a snapshot, or read live', async () => {
    const copy = await createBackupDefinition(stack.client, clusterId, {
      selection: { scope: 'SELECTED_NAMESPACES', namespaces: [app.namespace] },
      persistentVolumes: { mode: 'BACKUP_TO_OBJECT_STORAGE' },
      advanced: { destinationStorageTargetId: storageTargetId },
    });
    const shown = expectStatus<BackupPreview>(await preview(copy.id), 200);
    expect(shown.volumes.map((v) => [v.claim, v.method])).toEqual([
      ['data', 'SNAPSHOT'],
      ['files', 'PVC'],
    ]);
    const job = await jobAfterRun(stack.client, stack.temporal, await runNow(stack.client, copy.id));
    expect(job.status, `${job.message} ${JSON.stringify(job.errors)}`).toBe('COMPLETED');
    const page = expectStatus<{ items: { jobId: string; contents: { persistentVolumes: { claim: string; method: string }[] } }[] }>(await stack.client.get('/recovery-points'), 200);
    const recorded = page.items.find((item) => item.jobId === job.id)?.contents.persistentVolumes.map((pv) => [pv.claim, pv.method]);
    const asRecorded: Record<string, string> = { SNAPSHOT: 'COPY_FROM_SNAPSHOT', PVC: 'COPY_FROM_LIVE_CLAIM' };
    expect(recorded).toEqual(shown.volumes.map((v) => [v.claim, asRecorded[v.method]]));
  });
});
