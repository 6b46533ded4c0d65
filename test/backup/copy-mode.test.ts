import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRestore } from '../../services/datamover/restore/restore.js';
import { progressQuery } from '../../workflows/backup-progress.js';
import { createBackupDefinition, createCluster, createS3Target, expectStatus } from '../api/helpers/fixtures.js';
import { startEmulatedCluster, type EmulatedCluster } from '../emulator/helpers/cluster.js';
import { writeKnownData } from '../fixtures/volume-data.js';
import { volumeDigest } from '../fixtures/volume-digest.js';
import { stackEnv, uniqueName } from '../support/stack-env.js';
import { startBackupStack, type BackupStack } from './helpers/backup-stack.js';
import { deployEmulatedApp, type EmulatedApp } from './helpers/emulated-app.js';
import { jobLeftovers } from './helpers/leftovers.js';
import { openTargetRepository, recordedCopies } from './helpers/run-repository.js';
import { jobAfterRun, runNow, untilClusterActive, type JobView } from './helpers/runs.js';

interface PointView {
  jobId: string;
  type: string;
  contents: { persistentVolumes: { namespace: string; claim: string; storageClass: string; sizeBytes: number; method: string }[] };
}

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
  stack = await startBackupStack();
  clusterId = (await createCluster(stack.client)).id;
  storageTargetId = (
    await createS3Target(stack.client, {
      endpoint: stackEnv('S3_ENDPOINT'),
      region: stackEnv('S3_REGION'),
      bucket: stackEnv('S3_BUCKET'),
      pathStyle: true,
      prefix: `tests/${uniqueName('copy-mode')}`,
      credentials: { accessKeyId: stackEnv('S3_ACCESS_KEY_ID'), secretAccessKey: stackEnv('S3_SECRET_ACCESS_KEY') },
    })
  ).id;
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

  it('completes, counting the copied bytes and files on the job', () => {
    expect(job.status, `${job.message} ${JSON.stringify(job.errors)}`).toBe('COMPLETED');
    expect(job.message).toMatch(/; 2 of 2 PVs copied \(\d+ files, \d+ bytes, \d+ bytes new\)$/);
    // 2 MiB + 1 MiB of large files alone, new to this repository.
    expect(job.bytesTransferred).toBeGreaterThan(3 * 2 ** 20);
    expect(job.filesTransferred).toBeGreaterThan(30);
  });

  it('records a COPY recovery point listing every PV with its copy', async () => {
    const page = expectStatus<{ items: PointView[] }>(await stack.client.get('/recovery-points'), 200);
    const point = page.items.find((item) => item.jobId === job.id);
    expect(point?.type).toBe('COPY');
    expect(point?.contents.persistentVolumes.map((pv) => [pv.claim, pv.method, pv.storageClass])).toEqual([
      ['data', 'COPY_FROM_SNAPSHOT', 'csi-hostpath'],
      ['files', 'COPY_FROM_LIVE_CLAIM', 'csi-files'],
    ]);
    const copies = await recordedCopies(stack, job.id);
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
