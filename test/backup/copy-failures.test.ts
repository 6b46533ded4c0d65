import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackupDefinition, createCluster, expectStatus } from '../api/helpers/fixtures.js';
import { eventually, startEmulatedCluster, type EmulatedCluster } from '../emulator/helpers/cluster.js';
import { seededBytes } from '../fixtures/volume-data.js';
import { createStackS3Target } from './helpers/stack-target.js';
import { startBackupStack, type BackupStack } from './helpers/backup-stack.js';
import { deployEmulatedApp, type EmulatedApp } from './helpers/emulated-app.js';
import { jobLeftovers } from './helpers/leftovers.js';
import { recordedCopies } from './helpers/run-repository.js';
import { backupProgress, firstCopyBatchId, jobAfterRun, runNow, untilClusterActive, type JobView } from './helpers/runs.js';

let stack: BackupStack;
let cluster: EmulatedCluster;
let clusterId: string;
let storageTargetId: string;

beforeAll(async () => {
  cluster = await startEmulatedCluster();
  stack = await startBackupStack();
  clusterId = (await createCluster(stack.client)).id;
  storageTargetId = await createStackS3Target(stack, 'copy-failures');
  await stack.startAgent(clusterId, { executor: cluster.node.executor });
  await untilClusterActive(stack.client, clusterId);
}, 240_000);

afterAll(async () => {
  await stack?.close();
  await cluster?.stop();
});

async function copyDefinition(namespace: string, advanced: Record<string, unknown> = {}): Promise<string> {
  return (
    await createBackupDefinition(stack.client, clusterId, {
      selection: { scope: 'SELECTED_NAMESPACES', namespaces: [namespace] },
      persistentVolumes: { mode: 'BACKUP_TO_OBJECT_STORAGE' },
      advanced: { destinationStorageTargetId: storageTargetId, ...advanced },
    })
  ).id;
}

describe('a mover pod that can never start', () => {
  let app: EmulatedApp;
  let job: JobView;

  beforeAll(async () => {
    app = await deployEmulatedApp(cluster, { label: 'stuck' });
    // The snapshot is mounted with a class that does not exist: the temporary claim never binds, so the pod never runs.
    const definitionId = await copyDefinition(app.namespace, { dataMoverPodTimeoutMinutes: 1, snapshotMountStorageClasses: { 'csi-hostpath': 'no-such-class' } });
    job = await jobAfterRun(stack.client, stack.temporal, await runNow(stack.client, definitionId));
  }, 300_000);

  it('fails the run when the data mover pod timeout expires, naming the PV, the pod and why it did not start', () => {
    expect(job.status).toBe('FAILED');
    expect(job.message).toMatch(
      new RegExp(
        `^Copying persistent volume snapshots to storage through data mover pods failed: no PV could be copied \\(${app.namespace}/data: ` +
          `the data mover pod ${app.namespace}/haven-mover-${job.id}-0 for PV of claim ${app.namespace}/data did not start within the data mover pod timeout of 1 min \\(pod Pending: .+\\)\\)$`,
      ),
    );
    expect(job.errors).toEqual([{ message: job.message }]);
  });

  it('records no recovery point and leaves no pod, temporary claim, credentials or snapshot behind', async () => {
    expect(await recordedCopies(stack, job.id)).toEqual([]);
    expect(await jobLeftovers(cluster, job.id)).toEqual([]);
  });
});

describe('a copy backup of a namespace without PVs', () => {
  it('completes with the resources alone', async () => {
    const namespace = await cluster.namespace('nopv');
    await cluster.api.core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'settings' }, data: { a: 'b' } } });
    const job = await jobAfterRun(stack.client, stack.temporal, await runNow(stack.client, await copyDefinition(namespace)));
    expect(job.status, job.message).toBe('COMPLETED');
    expect(job.message).toMatch(/^Backed up \d+ resources from 1 namespaces$/);
    const points = expectStatus<{ items: { jobId: string; type: string; contents: { persistentVolumes: unknown[] } }[] }>(await stack.client.get('/recovery-points'), 200);
    expect(points.items.find((p) => p.jobId === job.id)).toMatchObject({ type: 'COPY', contents: { persistentVolumes: [] } });
  }, 120_000);
});

describe('a copy cancelled while its mover is working', () => {
  it('ends CANCELLED and leaves no pod, temporary claim, credentials or snapshot behind', async () => {
    const app = await deployEmulatedApp(cluster, { label: 'cancel' });
    // 8 MiB more at 1 MB/s: the copy is still running when the cancel arrives.
    await writeFile(join(app.dataPath, 'bulk.bin'), seededBytes('bulk', 8 * 2 ** 20));
    const definitionId = await copyDefinition(app.namespace, { maxSpeedPerStreamMBps: 1 });
    const started = await runNow(stack.client, definitionId);
    const copying = await eventually(async () => {
      const progress = await backupProgress(stack.temporal, started.workflowId);
      return progress && (progress.volumes.some((v) => v.state === 'COPYING') || /^(COMPLETED|FAILED)$/.test(progress.step)) ? progress : undefined;
    }, 'the copy to start', 120_000);
    expect(copying.step).not.toMatch(/^(COMPLETED|FAILED)$/);
    // Cancel once a mover has taken the copy activity (the mover reports figures only at checkpoints, 10 s
    // apart), not after a fixed delay that a loaded machine may make too short or too long.
    await eventually(async () => {
      const pending = (await stack.temporal.workflow.getHandle(firstCopyBatchId(started.workflowId)).describe()).raw.pendingActivities ?? [];
      return pending.some((a) => a.activityType?.name === 'backupVolumeToRepository' && a.state === temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED);
    }, 'a data mover to start the copy', 120_000);
    expectStatus(await stack.client.post(`/jobs/${started.id}/actions/cancel`, {}), 202);
    const job = await jobAfterRun(stack.client, stack.temporal, started);
    expect(job.status).toBe('CANCELLED');
    expect(await jobLeftovers(cluster, job.id)).toEqual([]);
  }, 180_000);
});
