import { Context } from '@temporalio/activity';
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterTaskQueue } from '../../lib/common/temporal/names.js';
import { WORKFLOW_TYPES } from '../../lib/domain/runs/workflow-types.js';
import type { BackupVolumeRequest } from '../../proto/mover/index.js';
import type { backupWorkflow } from '../../workflows/backup.js';
import { control, copied, moverQueues, sourceAgent } from './helpers/backup-mocks.js';
import { backupInput, backupPlan, SOURCE, volume } from './helpers/fixtures.js';
import { CONTROL_QUEUE, startWorkflowHarness, type WorkflowHarness } from './helpers/workflow-env.js';

/**
 * A backup of many volumes (24: see VOLUMES), each copy a long one (compressed: its checkpoints heartbeat back to back, as
 * hours of 10-second checkpoints would), stays far from Temporal's per-workflow history limits (51,200
 * events and 50 MB, which end a run; the server warns at 10,240 events and 10 MB). Checkpoints must add
 * nothing to the history: they are heartbeats, not signals or activities.
 */
const HISTORY_EVENT_LIMIT = 51_200;
const HISTORY_BYTES_LIMIT = 50 * 1024 * 1024;
/** "Far from the limits": under the server's warning thresholds, a fifth of the hard limits. */
const FAR_FROM_LIMIT = 0.2;
// Each copy gets a mover queue of its own, and the harness a worker per queue: the dev server's poller
// limit bounds how many one test can serve. The figures per volume are printed for larger backups.
const VOLUMES = 24;
/** Checkpoints each copy reports: ~3 hours of 10-second checkpoints per volume. */
const CHECKPOINTS_PER_COPY = 1_000;

let harness: WorkflowHarness;

beforeAll(async () => {
  harness = await startWorkflowHarness();
});
afterAll(async () => {
  await harness?.close();
});

/** Events and encoded bytes of a workflow's history and of every child it started, per workflow. */
async function histories(workflowId: string): Promise<{ workflowId: string; events: number; bytes: number }[]> {
  const history = await harness.client.workflow.getHandle(workflowId).fetchHistory();
  const own = { workflowId, events: history.events?.length ?? 0, bytes: temporal.api.history.v1.History.encode(history).finish().length };
  const children = (history.events ?? []).flatMap((e) => (e.childWorkflowExecutionStartedEventAttributes?.workflowExecution?.workflowId ? [e.childWorkflowExecutionStartedEventAttributes.workflowExecution.workflowId] : []));
  return [own, ...(await Promise.all(children.map(histories))).flat()];
}

async function backupOf(jobId: string, checkpoints: number) {
  const volumes = Array.from({ length: VOLUMES }, (_, i) => volume(`data-${i}`));
  // A long copy: every checkpoint heartbeats its figures, as the mover does.
  const longCopy = async (request: BackupVolumeRequest) => {
    for (let i = 0; i < checkpoints; i++) Context.current().heartbeat({ files: i, bytes: i * 1024 });
    return copied(request);
  };
  const run = await harness.run<typeof backupWorkflow>(WORKFLOW_TYPES.backup, [backupInput(jobId, backupPlan('BACKUP_TO_OBJECT_STORAGE'))], {
    [CONTROL_QUEUE]: control(),
    [clusterTaskQueue(SOURCE)]: sourceAgent(volumes),
    ...moverQueues(jobId, VOLUMES, longCopy),
  });
  expect(run.failure?.cause?.message).toBeUndefined();
  return histories(run.workflowId);
}

describe('a backup of many volumes with long copies', () => {
  it('keeps every workflow history far below the event and size limits, and checkpoints add no events of their own', async () => {
    const long = await backupOf('job-long', CHECKPOINTS_PER_COPY);
    const short = await backupOf('job-short', 1);
    console.log(`[history] ${VOLUMES} volumes: ${long.map((h) => `${h.workflowId}: ${h.events} events (${(h.events / VOLUMES).toFixed(1)} per volume), ${(h.bytes / 1024).toFixed(0)} KiB`).join('; ')}`);
    for (const history of long) {
      expect(history.events, history.workflowId).toBeLessThan(HISTORY_EVENT_LIMIT * FAR_FROM_LIMIT);
      expect(history.bytes, history.workflowId).toBeLessThan(HISTORY_BYTES_LIMIT * FAR_FROM_LIMIT);
    }
    // 24,000 checkpoints against 24: the histories differ by the few events a longer run's timing adds
    // (progress polls), never by one per checkpoint.
    const total = (histories: { events: number }[]) => histories.reduce((sum, h) => sum + h.events, 0);
    expect(total(long) - total(short)).toBeLessThan(VOLUMES * 2);
  }, 600_000);
});
