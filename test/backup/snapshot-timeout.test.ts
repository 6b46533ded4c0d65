import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackupDefinition, createCluster, expectStatus } from '../api/helpers/fixtures.js';
import { startEmulatedCluster, type EmulatedCluster } from '../emulator/helpers/cluster.js';
import { startBackupStack, type BackupStack } from './helpers/backup-stack.js';
import { deployEmulatedApp, dropKeptSnapshots, listSnapshots, type EmulatedApp } from './helpers/emulated-app.js';
import { jobAfterRun, runNow, untilClusterActive, type JobView } from './helpers/runs.js';
import { createStackS3Target } from './helpers/stack-target.js';

/** Longer than any test runs: this emulator's snapshots are taken but never become ready. */
const NEVER_MS = 6 * 3_600_000;

let stack: BackupStack;
let quick: EmulatedCluster;
let stuck: EmulatedCluster;
let ready: EmulatedApp;
let slow: EmulatedApp;
let job: JobView;

beforeAll(async () => {
  // Two emulators on the same API server, each acting only in its own namespaces: one namespace's
  // snapshots become ready at once, the other's never do.
  quick = await startEmulatedCluster();
  stuck = await startEmulatedCluster({ snapshotReadyDelayMs: NEVER_MS });
  ready = await deployEmulatedApp(quick, { label: 'ready' });
  slow = await deployEmulatedApp(stuck, { label: 'slow' });
  stack = await startBackupStack();
  const clusterId = (await createCluster(stack.client)).id;
  const targetId = await createStackS3Target(stack, 'snapshot-timeout');
  const definitionId = (
    await createBackupDefinition(stack.client, clusterId, {
      selection: { scope: 'SELECTED_NAMESPACES', namespaces: [ready.namespace, slow.namespace] },
      persistentVolumes: { mode: 'SNAPSHOT_ONLY' },
      // The shortest timeout the API accepts.
      advanced: { destinationStorageTargetId: targetId, csiSnapshotTimeoutMinutes: 1 },
    })
  ).id;
  await stack.startAgent(clusterId);
  await untilClusterActive(stack.client, clusterId);
  job = await jobAfterRun(stack.client, stack.temporal, await runNow(stack.client, definitionId));
}, 300_000);

afterAll(async () => {
  await stack?.close();
  if (quick && ready) await dropKeptSnapshots(quick, ready.namespace);
  await stuck?.stop();
  await quick?.stop();
});

describe('a snapshot that does not become ready within the CSI snapshot timeout', () => {
  it('fails that PV with the timeout as the reason; the run ends PARTIAL', () => {
    expect(job.status, job.message).toBe('PARTIAL');
    expect(job.message).toMatch(/; 1 of 2 PVs snapshotted$/);
    expect(job.errors).toEqual([
      {
        message:
          `PV of claim ${slow.namespace}/data not backed up: the CSI snapshot timeout (1 min) expired: ` +
          `VolumeSnapshot ${slow.namespace}/haven-${job.id}-data was still not ready to use when the wait ended`,
        resource: `persistentvolumeclaims/${slow.namespace}/data`,
      },
    ]);
  });

  it('records the PV that was snapshotted, and deletes the snapshot that timed out', async () => {
    const page = expectStatus<{ items: { jobId: string; contents: { persistentVolumes: { namespace: string; claim: string }[] } }[] }>(
      await stack.client.get('/recovery-points'),
      200,
    );
    const point = page.items.find((item) => item.jobId === job.id);
    expect(point?.contents.persistentVolumes.map((pv) => `${pv.namespace}/${pv.claim}`)).toEqual([`${ready.namespace}/data`]);
    expect((await listSnapshots(quick, ready.namespace)).map((s) => s.metadata.name)).toEqual([`haven-${job.id}-data`]);
    // Deletion is asynchronous (finalizers): gone or going.
    const left = await listSnapshots(stuck, slow.namespace);
    expect(left.every((s) => s.metadata.deletionTimestamp)).toBe(true);
  });
});
