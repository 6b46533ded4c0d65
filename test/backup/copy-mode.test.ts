import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecoveryPoint } from '../../services/api/resources/recovery-points/schema.js';
import { readRepositorySecret } from '../../lib/db/storage-target-secrets.js';
import { ENCRYPTED_ENCODING } from '../../lib/common/temporal/payload-codec.js';
import { storageTargets } from '../../lib/db/schema/index.js';
import { runRestore } from '../../lib/datamover/restore/restore.js';
import { progressQuery } from '../../workflows/backup-progress.js';
import { createBackupDefinition, createCluster, expectStatus } from '../api/helpers/fixtures.js';
import { startEmulatedCluster, type EmulatedCluster } from '../emulator/helpers/cluster.js';
import { writeKnownData } from '../fixtures/volume-data.js';
import { volumeDigest } from '../fixtures/volume-digest.js';
import { stackEnv } from '../support/stack-env.js';
import { createStackS3Target } from './helpers/stack-target.js';
import { startBackupStack, type BackupStack } from './helpers/backup-stack.js';
import { deployEmulatedApp, type EmulatedApp } from './helpers/emulated-app.js';
import { jobLeftovers } from './helpers/leftovers.js';
import { openTargetRepository, recordedCopies } from './helpers/run-repository.js';
import { jobAfterRun, runNow, untilClusterActive, type JobView } from './helpers/runs.js';

const { temporal } = proto;


let stack: BackupStack;
let cluster: EmulatedCluster;
let app: EmulatedApp;
let filesPath: string;
let clusterId: string;
let storageTargetId: string;
let definitionId: string;

beforeAll(async () => {
  cluster = await startEmulatedCluster();
  app = await deployEmulatedApp(cluster, { unsnapshottableClaim: true });
  const filesClaim = await cluster.api.core.readNamespacedPersistentVolumeClaim({ namespace: app.namespace, name: 'files' });
  filesPath = cluster.node.volumePath(await cluster.api.core.readPersistentVolume({ name: filesClaim.spec?.volumeName ?? '' }));
  await writeKnownData(filesPath, `${app.namespace}/files`, { largeFileMiB: 1, smallFiles: 10 });
  await cluster.api.core.createNamespacedPod({
    namespace: app.namespace,
    body: { metadata: { name: 'scratch' }, spec: { containers: [{ name: 'tmp', image: 'busybox' }], volumes: [{ name: 'cache', emptyDir: {} }] } },
  });
  stack = await startBackupStack();
  clusterId = (await createCluster(stack.client)).id;
  storageTargetId = await createStackS3Target(stack, 'copy-mode');
  await stack.startAgent(clusterId, { executor: cluster.node.executor });
  await untilClusterActive(stack.client, clusterId);
  definitionId = (
    await createBackupDefinition(stack.client, clusterId, {
      selection: { scope: 'SELECTED_NAMESPACES', namespaces: [app.namespace] },
      persistentVolumes: { mode: 'BACKUP_TO_OBJECT_STORAGE' },
      advanced: { destinationStorageTargetId: storageTargetId },
    })
  ).id;
}, 240_000);

afterAll(async () => {
  await stack?.close();
  await cluster?.stop();
});

describe('a backup to object storage of an app with a snapshot-capable PV and one that cannot be snapshotted', () => {
  let job: JobView;

  beforeAll(async () => {
    job = await jobAfterRun(stack.client, stack.temporal, await runNow(stack.client, definitionId));
  }, 300_000);

  it('completes, counting the copied bytes and files on the job and naming the emptyDir volume it does not back up', () => {
    expect(job.status, `${job.message} ${JSON.stringify(job.errors)}`).toBe('COMPLETED');
    expect(job.message).toMatch(/; 2 of 2 PVs copied \(\d+ files, \d+ bytes, \d+ bytes new\); 1 hostPath\/emptyDir pod volumes not backed up$/);
    expect(job.errors).toEqual([
      { message: `emptyDir volume "cache" of pod ${app.namespace}/scratch not backed up: emptyDir volumes are never copied`, resource: `pods/${app.namespace}/scratch` },
    ]);
    // Each volume's large file repeats one seeded MiB (only its first 4 bytes differ from MiB to MiB), so
    // chunking keeps about one MiB of it per volume: 2 MiB new to this repository, at least.
    expect(job.bytesTransferred).toBeGreaterThan(2 * 2 ** 20);
    expect(job.filesTransferred).toBeGreaterThan(30);
  });

  it('records a COPY recovery point listing every PV with its copy', async () => {
    const page = expectStatus<{ items: RecoveryPoint[] }>(await stack.client.get('/recovery-points'), 200);
    const point = page.items.find((item) => item.jobId === job.id);
    expect(point?.type).toBe('COPY');
    expect(point?.contents.persistentVolumes.map((pv) => [pv.claim, pv.method, pv.storageClass])).toEqual([
      ['data', 'COPY_FROM_SNAPSHOT', 'csi-hostpath'],
      ['files', 'COPY_FROM_LIVE_CLAIM', 'csi-files'],
    ]);
    const copies = await recordedCopies(stack, job.id);
    // What the API shows is what restores read.
    expect(point?.contents.persistentVolumes.map((pv) => [pv.copySnapshotId, pv.copyBytes, pv.copyFiles, pv.accessModes])).toEqual(
      copies.map((c) => [c.copySnapshotId, c.copyBytes, c.copyFiles, c.accessModes]),
    );
    for (const copy of copies) {
      expect(copy).toMatchObject({ namespace: app.namespace, volumeMode: 'Filesystem', accessModes: ['ReadWriteOnce'] });
      expect(copy.copySnapshotId).toBeTruthy();
      expect(copy.copyFiles).toBeGreaterThan(0);
      // Not preserved: the recovery point does not point at a snapshot that is gone.
      expect(copy.snapshotName).toBeUndefined();
    }
  });

  it('holds each PV\'s bytes: a library restore of each copy equals the source volume', async () => {
    const repository = await openTargetRepository(stack, storageTargetId);
    const sources: Record<string, string> = { data: app.dataPath, files: filesPath };
    for (const copy of await recordedCopies(stack, job.id)) {
      const restored = await mkdtemp(join(tmpdir(), 'haven-copy-restored-'));
      try {
        await runRestore(repository, { snapshotId: copy.copySnapshotId, target: restored });
        expect(await volumeDigest(restored), copy.claim).toBe(await volumeDigest(sources[copy.claim]!));
      } finally {
        await rm(restored, { recursive: true, force: true });
      }
    }
  });

  it('leaves no mover pod, temporary claim, credentials or snapshot behind', async () => {
    expect(await jobLeftovers(cluster, job.id)).toEqual([]);
  });

  it('answers the progress query with each PV copied and its figures', async () => {
    const progress = await stack.temporal.workflow.getHandle(job.workflowId).query(progressQuery);
    expect(progress.step).toBe('COMPLETED');
    expect(progress.volumes?.map((v) => [v.claim, v.state])).toEqual([
      ['files', 'COPIED'],
      ['data', 'COPIED'],
    ]);
    for (const volume of progress.volumes ?? []) expect(volume.bytes).toBeGreaterThan(2 ** 20);
  });

  it('leaves no credential, repository secret or payload key in clear in the run\'s history, what the movers answered included', async () => {
    // A client WITHOUT the payload codec sees exactly what Temporal stores.
    const connection = await Connection.connect({ address: stackEnv('TEMPORAL_ADDRESS') });
    try {
      const raw = new Client({ connection, namespace: stack.api.config.workflowEngine!.namespace });
      // The copies run in the run's PV batches (child workflows): every one of their histories is read too.
      const history = await raw.workflow.getHandle(job.workflowId).fetchHistory();
      const children = (history.events ?? []).flatMap((e) => e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId ?? []);
      expect(children.length).toBeGreaterThan(0);
      const batches = await Promise.all(children.map((id) => raw.workflow.getHandle(id).fetchHistory()));
      const bytes = Buffer.concat([history, ...batches].map((h) => Buffer.from(temporal.api.history.v1.History.encode(h).finish())));
      const [target] = await stack.api.running.database.db.select().from(storageTargets).where(eq(storageTargets.id, storageTargetId));
      const secrets = [stackEnv('S3_SECRET_ACCESS_KEY'), stackEnv('S3_ACCESS_KEY_ID'), readRepositorySecret(stack.api.config.keyring, target!)!, stack.payloadKeyEntry.split(':')[1]!];
      for (const secret of secrets) expect(bytes.includes(Buffer.from(secret)), 'a secret is readable in history').toBe(false);
      const events = [history, ...batches].flatMap((h) => h.events ?? []);
      const copies = events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'backupVolumeToRepository');
      expect(copies.map((e) => e.activityTaskScheduledEventAttributes?.taskQueue?.name).sort()).toEqual([`mover.${clusterId}.${job.id}.0`, `mover.${clusterId}.${job.id}.1`]);
      // Movers may not signal: nothing but the control plane writes to the run's history directly.
      expect(events.filter((e) => e.workflowExecutionSignaledEventAttributes)).toEqual([]);
      // What the movers answered went through the gateway, which sealed it with the organization's key.
      // Event ids count per history: a copy's answer is looked up in its own batch's.
      const results = batches.flatMap((batch) => {
        const own = (batch.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'backupVolumeToRepository');
        return (batch.events ?? []).filter((e) => own.some((c) => String(c.eventId) === String(e.activityTaskCompletedEventAttributes?.scheduledEventId)));
      });
      expect(results).toHaveLength(2);
      const sealed = [...copies.map((e) => e.activityTaskScheduledEventAttributes?.input), ...results.map((e) => e.activityTaskCompletedEventAttributes?.result)].flatMap((input) => input?.payloads ?? []);
      const encodings = sealed.map((p) => Buffer.from(p.metadata?.encoding ?? []).toString());
      expect(new Set(sealed.map((p) => Buffer.from(p.metadata?.['encryption-key-id'] ?? []).toString()))).toEqual(new Set([`org.${stack.orgId}.1`]));
      expect(new Set(encodings)).toEqual(new Set([ENCRYPTED_ENCODING]));
    } finally {
      await connection.close();
    }
  });

  describe('run again with one file changed', () => {
    let second: JobView;

    beforeAll(async () => {
      await writeKnownData(join(app.dataPath, 'empty-dir'), 'changed', { largeFileMiB: 0, smallFiles: 1 });
      second = await jobAfterRun(stack.client, stack.temporal, await runNow(stack.client, definitionId));
    }, 300_000);

    it('is incremental: each copy has the previous one as parent and stores only the few new bytes', async () => {
      expect(second.status, second.message).toBe('COMPLETED');
      expect(second.bytesTransferred).toBeLessThan(job.bytesTransferred / 10);
      const repository = await openTargetRepository(stack, storageTargetId);
      const before = Object.fromEntries((await recordedCopies(stack, job.id)).map((c) => [c.claim, c.copySnapshotId]));
      for (const copy of await recordedCopies(stack, second.id)) {
        const snapshot = await repository.readSnapshot(copy.copySnapshotId);
        expect(snapshot.parentId, copy.claim).toBe(before[copy.claim]);
      }
    });
  });
});

describe('a backup that reads its PVs from the host volume (method HOST)', () => {
  let job: JobView;

  beforeAll(async () => {
    const hostDefinitionId = (
      await createBackupDefinition(stack.client, clusterId, {
        selection: { scope: 'SELECTED_NAMESPACES', namespaces: [app.namespace] },
        persistentVolumes: { mode: 'BACKUP_TO_OBJECT_STORAGE', methodByStorageClass: { 'csi-hostpath': 'HOST', 'csi-files': 'HOST' } },
        advanced: { destinationStorageTargetId: storageTargetId },
      })
    ).id;
    job = await jobAfterRun(stack.client, stack.temporal, await runNow(stack.client, hostDefinitionId));
  }, 300_000);

  it('copies the mounted claim from its pod\'s volume directory on the node, bytes equal, and says why the unmounted one cannot be', async () => {
    expect(job.status, job.message).toBe('PARTIAL');
    expect(job.errors).toContainEqual({
      message: `PV of claim ${app.namespace}/files not backed up: claim ${app.namespace}/files cannot be read from the host: no running pod mounts it, so its volume is on no node`,
      resource: `persistentvolumeclaims/${app.namespace}/files`,
    });
    const copies = await recordedCopies(stack, job.id);
    expect(copies.map((c) => [c.claim, c.method])).toEqual([['data', 'COPY_FROM_HOST_VOLUME']]);
    const repository = await openTargetRepository(stack, storageTargetId);
    const restored = await mkdtemp(join(tmpdir(), 'haven-host-restored-'));
    try {
      await runRestore(repository, { snapshotId: copies[0]!.copySnapshotId, target: restored });
      expect(await volumeDigest(restored)).toBe(await volumeDigest(app.dataPath));
    } finally {
      await rm(restored, { recursive: true, force: true });
    }
    expect(await jobLeftovers(cluster, job.id)).toEqual([]);
  });
});
