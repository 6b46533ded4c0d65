import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackupVolumeResult } from '../../proto/mover/index.js';
import { EncryptionCodec } from '../../lib/common/temporal/payload-codec.js';
import { runRestore } from '../../lib/datamover/restore/restore.js';
import { liveCopyFigures } from '../../services/api/seams/live-copy-progress.js';
import { createBackupDefinition, createCluster } from '../api/helpers/fixtures.js';
import { eventually, startEmulatedCluster, type EmulatedCluster } from '../emulator/helpers/cluster.js';
import { seededBytes } from '../fixtures/volume-data.js';
import { volumeDigest } from '../fixtures/volume-digest.js';
import { createStackS3Target } from './helpers/stack-target.js';
import { startBackupStack, type BackupStack, type RunningWorker } from './helpers/backup-stack.js';
import { deployEmulatedApp, type EmulatedApp } from './helpers/emulated-app.js';
import { jobLeftovers } from './helpers/leftovers.js';
import { moverProcesses } from './helpers/mover-processes.js';
import { openTargetRepository, recordedCopies } from './helpers/run-repository.js';
import { backupProgress, firstCopyBatchId, jobAfterRun, runNow, untilClusterActive, type JobView } from './helpers/runs.js';

let stack: BackupStack;
let cluster: EmulatedCluster;
let app: EmulatedApp;
let clusterId: string;
let storageTargetId: string;
let agent: RunningWorker;

beforeAll(async () => {
  cluster = await startEmulatedCluster();
  app = await deployEmulatedApp(cluster, { label: 'resume' });
  // 40 files of 512 KiB at 1 MB/s: a copy of ~20 s with checkpoints between files.
  await mkdir(join(app.dataPath, 'bulk'));
  for (let i = 0; i < 40; i++) await writeFile(join(app.dataPath, 'bulk', `part-${i}.bin`), seededBytes(`bulk-${i}`, 512 * 1024));
  stack = await startBackupStack();
  clusterId = (await createCluster(stack.client)).id;
  storageTargetId = await createStackS3Target(stack, 'copy-resume');
  agent = await stack.startAgent(clusterId, { executor: cluster.node.executor });
  await untilClusterActive(stack.client, clusterId);
}, 240_000);

afterAll(async () => {
  await stack?.close();
  await cluster?.stop();
});

describe('a copy whose agent stops and whose mover is killed mid-copy', () => {
  let job: JobView;

  beforeAll(async () => {
    const definitionId = (
      await createBackupDefinition(stack.client, clusterId, {
        selection: { scope: 'SELECTED_NAMESPACES', namespaces: [app.namespace] },
        persistentVolumes: { mode: 'BACKUP_TO_OBJECT_STORAGE' },
        advanced: { destinationStorageTargetId: storageTargetId, maxSpeedPerStreamMBps: 1 },
      })
    ).id;
    const started = await runNow(stack.client, definitionId);
    // Wait for a checkpoint with data in it: the mover heartbeats its figures with each one.
    const checkpointed = await eventually(async () => {
      const progress = await backupProgress(stack.temporal, started.workflowId);
      if (!progress || /^(COMPLETED|FAILED)$/.test(progress.step)) return progress;
      const [live] = await liveCopyFigures(stack.temporal, firstCopyBatchId(started.workflowId)).catch(() => []);
      return progress.volumes[0]?.state === 'COPYING' && live && live.bytes > 0 ? progress : undefined;
    }, 'a copy checkpoint with data in it', 180_000);
    expect(checkpointed.step).not.toMatch(/^(COMPLETED|FAILED)$/);
    await agent.stop();
    const pids = await moverProcesses(started.id);
    expect(pids.length).toBeGreaterThan(0);
    for (const pid of pids) process.kill(pid, 'SIGKILL');
    await eventually(async () => (await moverProcesses(started.id)).every((pid) => !pids.includes(pid)), 'the killed movers to be gone', 30_000);
    agent = await stack.startAgent(clusterId, { executor: cluster.node.executor });
    job = await jobAfterRun(stack.client, stack.temporal, started);
  }, 300_000);

  it('still completes, the retried copy resuming from the checkpoint the killed mover heartbeated', async () => {
    expect(job.status, `${job.message} ${JSON.stringify(job.errors)}`).toBe('COMPLETED');
    const history = await stack.temporal.workflow.getHandle(firstCopyBatchId(job.workflowId)).fetchHistory();
    const events = history.events ?? [];
    const copyScheduled = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'backupVolumeToRepository');
    const started = events.find((e) => e.activityTaskStartedEventAttributes?.scheduledEventId?.toString() === copyScheduled?.eventId?.toString());
    expect(started?.activityTaskStartedEventAttributes?.attempt).toBeGreaterThan(1);
    const completed = events.find((e) => e.activityTaskCompletedEventAttributes?.scheduledEventId?.toString() === copyScheduled?.eventId?.toString());
    const [payload] = await new EncryptionCodec(stack.payloadKeys).decode(completed?.activityTaskCompletedEventAttributes?.result?.payloads ?? []);
    expect(defaultPayloadConverter.fromPayload<BackupVolumeResult>(payload!).resumed).toBe(true);
  });

  it('holds the volume intact and leaves nothing behind', async () => {
    const [copy] = await recordedCopies(stack, job.id);
    const repository = await openTargetRepository(stack, storageTargetId);
    const restored = await mkdtemp(join(tmpdir(), 'haven-resumed-'));
    try {
      await runRestore(repository, { snapshotId: copy!.copySnapshotId, target: restored });
      expect(await volumeDigest(restored)).toBe(await volumeDigest(app.dataPath));
    } finally {
      await rm(restored, { recursive: true, force: true });
    }
    expect(await jobLeftovers(cluster, job.id)).toEqual([]);
  });
});
