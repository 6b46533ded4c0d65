import { Context } from '@temporalio/activity';
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecoveryPointRecord } from '../../activities/control/recovery-points.js';
import { clusterTaskQueue } from '../../lib/common/temporal/names.js';
import { WORKFLOW_TYPES } from '../../lib/domain/runs/workflow-types.js';
import type { BackupVolumeRequest, StartMoverPodRequest } from '../../proto/mover/index.js';
import type { backupWorkflow } from '../../workflows/backup.js';
import { VOLUME_BATCH_SIZE } from '../../workflows/backup-volume-batches.js';
import { control, copied, sourceAgent } from './helpers/backup-mocks.js';
import { backupInput, backupPlan, SOURCE, volume } from './helpers/fixtures.js';
import { CONTROL_QUEUE, inputsOf, startWorkflowHarness, type WorkflowHarness } from './helpers/workflow-env.js';

/**
 * A backup of many volumes (VOLUMES), each copy a long one (compressed: its checkpoints heartbeat back
 * to back, as hours of 10-second checkpoints would), stays far from Temporal's per-workflow history
 * limits (51,200 events and 50 MB, which end a run; the server warns at 10,240 events and 10 MB). The
 * per-PV work runs in batches of child workflows, so the run's own history grows by a few events per
 * batch, not by dozens per PV; checkpoints add nothing anywhere: they are heartbeats, not signals or activities.
 */
const HISTORY_EVENT_LIMIT = 51_200;
const HISTORY_BYTES_LIMIT = 50 * 1024 * 1024;
/** "Far from the limits": under the server's warning thresholds, a fifth of the hard limits. */
const FAR_FROM_LIMIT = 0.2;
/** Past the server's warning (~210 PVs) when each PV cost the run ~48 events of its own: snapshot-only, so many are quick. */
const VOLUMES = 300;
/**
 * Copies take a mover pod (a worker of its own here) each, so fewer: enough for a full copy batch and a
 * partial one. A copy batch is the largest history of a run, whatever the run's size.
 */
const COPIED_VOLUMES = VOLUME_BATCH_SIZE + 10;
/** Checkpoints each copy reports: ~17 minutes of 10-second checkpoints per volume. */
const CHECKPOINTS_PER_COPY = 100;
const CONCURRENT_PVS = 25;
/** The run's own events: its steps, and a few per batch (the child's start, its end, the workflow task between). */
const RUN_BASE_EVENTS = 150;
const RUN_EVENTS_PER_BATCH = 10;

let harness: WorkflowHarness;

beforeAll(async () => {
  harness = await startWorkflowHarness();
});
afterAll(async () => {
  await harness?.close();
});

interface HistorySize {
  workflowId: string;
  events: number;
  bytes: number;
  signals: number;
}

/** Events, encoded bytes and signals of a workflow's history and of every child it started, per workflow. */
async function histories(workflowId: string): Promise<HistorySize[]> {
  const history = await harness.client.workflow.getHandle(workflowId).fetchHistory();
  const events = history.events ?? [];
  const own = { workflowId, events: events.length, bytes: temporal.api.history.v1.History.encode(history).finish().length, signals: events.filter((e) => e.workflowExecutionSignaledEventAttributes).length };
  const children = events.flatMap((e) => (e.childWorkflowExecutionStartedEventAttributes?.workflowExecution?.workflowId ? [e.childWorkflowExecutionStartedEventAttributes.workflowExecution.workflowId] : []));
  return [own, ...(await Promise.all(children.map(histories))).flat()];
}

/** Every history of the run: the run's first, then its batches'. */
function checkBounds(label: string, volumes: number, [own, ...batches]: HistorySize[]): void {
  const perVolume = (h: HistorySize) => `${h.events} events (${(h.events / volumes).toFixed(2)} per volume), ${(h.bytes / 1024).toFixed(0)} KiB (${(h.bytes / volumes).toFixed(0)} B per volume)`;
  const largest = batches.reduce((a, b) => (b.events > a.events ? b : a));
  console.log(`[history] ${label}, ${volumes} volumes: the run ${perVolume(own!)}; ${batches.length} batches, the largest ${largest.events} events, ${(largest.bytes / 1024).toFixed(0)} KiB`);
  expect(own!.events).toBeLessThan(RUN_BASE_EVENTS + batches.length * RUN_EVENTS_PER_BATCH);
  for (const history of [own!, ...batches]) {
    expect(history.events, history.workflowId).toBeLessThan(HISTORY_EVENT_LIMIT * FAR_FROM_LIMIT);
    expect(history.bytes, history.workflowId).toBeLessThan(HISTORY_BYTES_LIMIT * FAR_FROM_LIMIT);
    expect(history.signals, history.workflowId).toBe(0);
  }
}

const batchesOf = (volumes: number) => Math.ceil(volumes / VOLUME_BATCH_SIZE);

describe('a backup of many volumes', () => {
  it('snapshot-only: the run grows by a few events per batch of volumes, each batch far below the limits', async () => {
    const volumes = Array.from({ length: VOLUMES }, (_, i) => volume(`data-${i}`));
    const run = await harness.run<typeof backupWorkflow>(WORKFLOW_TYPES.backup, [backupInput('job-snapshots', backupPlan('SNAPSHOT_ONLY'))], {
      [CONTROL_QUEUE]: control(),
      [clusterTaskQueue(SOURCE)]: sourceAgent(volumes),
    });
    expect(run.failure?.cause?.message).toBeUndefined();
    const [point] = inputsOf<RecoveryPointRecord>(run.calls, 'recordRecoveryPoint');
    expect(point?.persistentVolumes?.map((pv) => pv.claim).sort()).toEqual(volumes.map((v) => v.claim).sort());
    const all = await histories(run.workflowId);
    // Two phases (cut, settle), each in batches.
    expect(all).toHaveLength(1 + 2 * batchesOf(VOLUMES));
    checkBounds('snapshot-only', VOLUMES, all);
  }, 120_000);

  it('copies: each batch of long copies far below the limits, every volume recorded, and checkpoints no events anywhere', async () => {
    const jobId = 'job-copies';
    const volumes = Array.from({ length: COPIED_VOLUMES }, (_, i) => volume(`data-${i}`));
    // A long copy: every checkpoint heartbeats its figures, as the mover does.
    const longCopy = async (request: BackupVolumeRequest) => {
      for (let i = 0; i < CHECKPOINTS_PER_COPY; i++) Context.current().heartbeat({ files: i, bytes: i * 1024 });
      return copied(request);
    };
    // Each mover pod's queue is served while its pod exists, as a real pod polls it.
    const agent = sourceAgent(volumes, {
      startMoverPod: async (request: StartMoverPodRequest) => {
        await harness.addQueue(request.taskQueue, { backupVolumeToRepository: longCopy });
        return { version: 1, namespace: request.namespace, podName: `mover-${request.taskQueue}` };
      },
      deleteMoverPod: async (request) => harness.dropQueue((request as { podName: string }).podName.replace(/^mover-/, '')),
    });
    const run = await harness.run<typeof backupWorkflow>(WORKFLOW_TYPES.backup, [backupInput(jobId, backupPlan('BACKUP_TO_OBJECT_STORAGE', { concurrentPvs: CONCURRENT_PVS }))], {
      [CONTROL_QUEUE]: control(),
      [clusterTaskQueue(SOURCE)]: agent,
    });
    expect(run.failure?.cause?.message).toBeUndefined();
    const [point] = inputsOf<RecoveryPointRecord>(run.calls, 'recordRecoveryPoint');
    expect(point?.persistentVolumes?.map((pv) => pv.claim).sort()).toEqual(volumes.map((v) => v.claim).sort());

    const all = await histories(run.workflowId);
    // Three phases (cut, settle, copy), each in batches.
    expect(all).toHaveLength(1 + 3 * batchesOf(COPIED_VOLUMES));
    checkBounds('copies', COPIED_VOLUMES, all);
    // Were each checkpoint an event (a signal, an activity), the histories would hold at least one per checkpoint.
    const events = all.reduce((sum, h) => sum + h.events, 0);
    expect(events).toBeLessThan(COPIED_VOLUMES * CHECKPOINTS_PER_COPY);
  }, 120_000);
});
