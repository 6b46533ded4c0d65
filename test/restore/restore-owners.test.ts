import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackupDefinition, createCluster, expectStatus } from '../api/helpers/fixtures.js';
import { startBackupStack, type BackupStack } from '../backup/helpers/backup-stack.js';
import { deployEmulatedApp, type EmulatedApp } from '../backup/helpers/emulated-app.js';
import { jobAfterRun, runNow, untilClusterActive, type JobView } from '../backup/helpers/runs.js';
import { createStackS3Target } from '../backup/helpers/stack-target.js';
import { startEmulatedCluster, type EmulatedCluster } from '../emulator/helpers/cluster.js';
import { ownedTree, writeDatabaseDirs } from '../fixtures/database-dirs.js';
import { havenImageBuild } from '../image/helpers/image-container.js';
import { uniqueName } from '../support/stack-env.js';
import { removeRestoredNamespaces } from './helpers/restored-namespaces.js';

/**
 * A database volume (PostgreSQL's 0700 PGDATA of uid 999, MySQL's 0750 datadir) through a real copy
 * backup and a restore into a new namespace, with movers running from the built image as the emulated
 * node enforces: a mover without the right uid or capabilities cannot read PGDATA, nor give files back
 * their owners.
 */
let stack: BackupStack;
let cluster: EmulatedCluster;
let app: EmulatedApp;
let clusterId: string;
let source: string[];
let backup: JobView;
const restoredNamespace: string[] = [];

beforeAll(async () => {
  // Movers from the built image's root filesystem, as the node runs them: its Node, its attr tools, its /app.
  cluster = await startEmulatedCluster({ emulator: { imageRootfs: (await havenImageBuild()).rootfs } });
  app = await deployEmulatedApp(cluster, { label: 'db' });
  await writeDatabaseDirs(app.dataPath, app.namespace);
  source = await ownedTree(app.dataPath);
  stack = await startBackupStack();
  clusterId = (await createCluster(stack.client)).id;
  const storageTargetId = await createStackS3Target(stack, 'restore-owners');
  await stack.startAgent(clusterId, { executor: cluster.node.executor });
  await untilClusterActive(stack.client, clusterId);
  const definitionId = (
    await createBackupDefinition(stack.client, clusterId, {
      selection: { scope: 'SELECTED_NAMESPACES', namespaces: [app.namespace] },
      persistentVolumes: { mode: 'BACKUP_TO_OBJECT_STORAGE' },
      advanced: { destinationStorageTargetId: storageTargetId },
    })
  ).id;
  backup = await jobAfterRun(stack.client, stack.temporal, await runNow(stack.client, definitionId));
}, 900_000);

afterAll(async () => {
  await stack?.close();
  if (cluster) await removeRestoredNamespaces(cluster.api, restoredNamespace);
  await cluster?.stop();
});

describe('a copy backup and restore of a volume holding database directories', () => {
  it('backs up the volume, PGDATA included', () => {
    expect(backup.status, `${backup.message} ${JSON.stringify(backup.errors)}`).toBe('COMPLETED');
    expect(backup.message).toMatch(/; 1 of 1 PVs copied/);
  });

  it('restores into a new namespace every file with its bytes, owner, group and mode', async () => {
    const points = expectStatus<{ items: { id: string; jobId: string }[] }>(await stack.client.get('/recovery-points'), 200);
    const recoveryPointId = points.items.find((p) => p.jobId === backup.id)?.id;
    const target = `${cluster.prefix}-restored`;
    restoredNamespace.push(target);
    const restoreId = expectStatus<{ id: string }>(
      await stack.client.post('/restores', { name: uniqueName('restore'), recoveryPointId, targetClusterId: clusterId, transforms: { namespaceMapping: { [app.namespace]: target } } }),
      201,
    ).id;
    const job = await jobAfterRun(stack.client, stack.temporal, expectStatus<JobView>(await stack.client.post(`/restores/${restoreId}/actions/run`), 202));
    expect(job.status, `${job.message} ${JSON.stringify(job.errors)}`).toBe('COMPLETED');

    const pvc = await cluster.api.core.readNamespacedPersistentVolumeClaim({ namespace: target, name: app.dataClaim });
    const restored = cluster.node.volumePath(await cluster.api.core.readPersistentVolume({ name: pvc.spec?.volumeName ?? '' }));
    const tree = await ownedTree(restored);
    expect(tree.filter((line) => / (pgdata|mysql|shared)/.test(line))).toEqual(source.filter((line) => / (pgdata|mysql|shared)/.test(line)));
    expect(tree).toEqual(source);
  }, 600_000);
});
