import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRestore } from '../../lib/datamover/restore/restore.js';
import { createBackupDefinition, createCluster } from '../api/helpers/fixtures.js';
import { startEmulatedCluster, type EmulatedCluster } from '../emulator/helpers/cluster.js';
import { deploySampleApp, type SampleApp } from '../fixtures/sample-app.js';
import { volumeDigest } from '../fixtures/volume-digest.js';
import { createStackS3Target } from './helpers/stack-target.js';
import { startBackupStack, type BackupStack } from './helpers/backup-stack.js';
import { jobLeftovers } from './helpers/leftovers.js';
import { openTargetRepository, recordedCopies } from './helpers/run-repository.js';
import { jobAfterRun, runNow, untilClusterActive, type JobView } from './helpers/runs.js';

const sha256 = async (file: string) => createHash('sha256').update(await readFile(file)).digest('hex');

let stack: BackupStack;
let cluster: EmulatedCluster;
let app: SampleApp;
let storageTargetId: string;
let job: JobView;

beforeAll(async () => {
  cluster = await startEmulatedCluster();
  app = await deploySampleApp(cluster.config, { prefix: cluster.prefix, volumes: cluster.node });
  stack = await startBackupStack();
  const clusterId = (await createCluster(stack.client)).id;
  storageTargetId = await createStackS3Target(stack, 'copy-sample-app');
  await stack.startAgent(clusterId, { executor: cluster.node.executor });
  await untilClusterActive(stack.client, clusterId);
  const definitionId = (
    await createBackupDefinition(stack.client, clusterId, {
      selection: { scope: 'SELECTED_NAMESPACES', namespaces: Object.values(app.namespaces) },
      advanced: { destinationStorageTargetId: storageTargetId, concurrentPvs: 3 },
    })
  ).id;
  job = await jobAfterRun(stack.client, stack.temporal, await runNow(stack.client, definitionId));
}, 600_000);

afterAll(async () => {
  await stack?.close();
  await app?.cleanup();
  await cluster?.stop();
});

describe('the sample application backed up with the defaults (backup to object storage)', () => {
  it('completes with every PV copied: CSI ones from snapshots, the rest (no snapshot class, NFS, local) read live', async () => {
    expect(job.status, `${job.message} ${JSON.stringify(job.errors)}`).toBe('COMPLETED');
    const copies = await recordedCopies(stack, job.id);
    const methods = Object.fromEntries(copies.map((c) => [c.claim, [c.method, c.volumeMode]]));
    expect(methods).toEqual({
      'api-uploads': ['COPY_FROM_LIVE_CLAIM', 'Filesystem'],
      'cache-data': ['COPY_FROM_SNAPSHOT', 'Filesystem'],
      'data-db-0': ['COPY_FROM_SNAPSHOT', 'Filesystem'],
      'data-db-1': ['COPY_FROM_SNAPSHOT', 'Filesystem'],
      'ingest-raw': ['COPY_FROM_SNAPSHOT', 'Block'],
      'reports-archive': ['COPY_FROM_LIVE_CLAIM', 'Filesystem'],
      'reports-scratch': ['COPY_FROM_LIVE_CLAIM', 'Filesystem'],
    });
    expect(copies.map((c) => c.claim).sort()).toEqual(app.volumes.map((v) => v.name).sort());
  });

  it('holds every PV\'s bytes: each copy restored with the library equals its source volume', async () => {
    const repository = await openTargetRepository(stack, storageTargetId);
    const copies = await recordedCopies(stack, job.id);
    for (const volume of app.volumes) {
      const copy = copies.find((c) => c.namespace === volume.namespace && c.claim === volume.name)!;
      const dir = await mkdtemp(join(tmpdir(), 'haven-sample-restored-'));
      try {
        if (volume.volumeMode === 'Block') {
          const image = join(dir, 'device.img');
          await runRestore(repository, { snapshotId: copy.copySnapshotId, target: image });
          expect(await sha256(image), volume.name).toBe(await sha256(volume.path));
        } else {
          await runRestore(repository, { snapshotId: copy.copySnapshotId, target: dir });
          expect(await volumeDigest(dir), volume.name).toBe(volume.digest);
        }
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }
  });

  it('leaves no mover pod, temporary claim, credentials or snapshot behind', async () => {
    expect(await jobLeftovers(cluster, job.id)).toEqual([]);
  });
});
