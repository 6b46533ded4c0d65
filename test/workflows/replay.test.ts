import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeterminismViolationError } from '@temporalio/workflow';
import type { History } from '@temporalio/common/lib/proto-utils.js';
import proto from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { sharedWorkflowBundle } from '../support/workflow-bundle.js';

/**
 * Replays histories recorded from real runs of the workflows (scripts/record-workflow-histories.ts) on
 * the current workflow bundle: a change that would make a run already in flight take another path (a
 * step added, removed or reordered without a patch) fails here, not in production after an upgrade.
 */
const FOLDER = join(import.meta.dirname, 'fixtures', 'histories');
const recorded = readdirSync(FOLDER)
  .filter((file) => file.endsWith('.json'))
  .sort()
  .map((file) => readRecording(join(FOLDER, file)));

/** The run's workflow id and its History in the message's own JSON form, as the recorder wrote them. */
function readRecording(path: string): { workflowId: string; history: History } {
  const { workflowId, history } = JSON.parse(readFileSync(path, 'utf8')) as { workflowId: string; history: Record<string, unknown> };
  return { workflowId, history: proto.temporal.api.history.v1.History.fromObject(history) };
}

async function replay(histories: { workflowId: string; history: History }[]) {
  const { code } = await sharedWorkflowBundle();
  const results: { workflowId: string; error?: unknown }[] = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle: { code } }, histories)) results.push({ workflowId: result.workflowId, error: result.error });
  return results;
}

describe('workflow replay against recorded histories', () => {
  it('has histories of every workflow the step tests run, children included', () => {
    const types = new Set(recorded.map((r) => r.history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name));
    expect([...types].sort()).toEqual(['backupWorkflow', 'deleteRecoveryPointWorkflow', 'replicationWorkflow', 'restoreWorkflow']);
  });

  it('replays every recorded history on the current workflow code without a determinism error', async () => {
    const results = await replay(recorded);
    expect(results.map((r) => r.workflowId)).toEqual(recorded.map((r) => r.workflowId));
    expect(results.filter((r) => r.error).map((r) => `${r.workflowId}: ${String(r.error)}`)).toEqual([]);
  });

  it('would catch a workflow that now schedules a different activity than the history recorded', async () => {
    // The same history with its first scheduled activity renamed: what replay sees when the code changed under it.
    const original = recorded.find((r) => r.history.events?.some((e) => e.activityTaskScheduledEventAttributes))!;
    const altered = proto.temporal.api.history.v1.History.fromObject(proto.temporal.api.history.v1.History.toObject(original.history as proto.temporal.api.history.v1.History));
    const scheduled = altered.events!.find((e) => e.activityTaskScheduledEventAttributes)!.activityTaskScheduledEventAttributes!;
    scheduled.activityType = { name: `${scheduled.activityType?.name ?? ''}Renamed` };
    const [result] = await replay([{ workflowId: original.workflowId, history: altered }]);
    expect(result?.error).toBeInstanceOf(DeterminismViolationError);
  });
});
