import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { expect } from 'vitest';

/**
 * When HAVEN_RECORD_HISTORIES names a folder (scripts/record-workflow-histories.ts sets it), each run of
 * the workflow harness writes its history there, and its children's, for the replay test
 * (test/workflows/replay.test.ts). Files are named after the test that ran them.
 */
export const RECORD_HISTORIES_ENV = 'HAVEN_RECORD_HISTORIES';

const recordedPerTest = new Map<string, number>();

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 90);
}

export async function recordHistories(client: Client, workflowId: string): Promise<void> {
  const folder = process.env[RECORD_HISTORIES_ENV];
  if (!folder) return;
  mkdirSync(folder, { recursive: true });
  const test = slug(expect.getState().currentTestName ?? 'run');
  const n = (recordedPerTest.get(test) ?? 0) + 1;
  recordedPerTest.set(test, n);
  const pending = [{ id: workflowId, name: `${test}-${n}` }];
  for (let next = pending.shift(); next; next = pending.shift()) {
    const history = await client.workflow.getHandle(next.id).fetchHistory();
    // The History message's own JSON form (protobufjs toJSON: enums by name, int64 as strings, bytes base64);
    // historyToJSON trips over the two protobufjs copies installed under @temporalio.
    // The workflow id is kept: the workflows derive their children's ids from it, and replay checks them.
    writeFileSync(join(folder, `${next.name}.json`), `${JSON.stringify({ workflowId: next.id, history })}\n`);
    const children = (history.events ?? []).flatMap((event) => event.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId ?? []);
    children.forEach((id, index) => pending.push({ id, name: `${next.name}-child-${index + 1}` }));
  }
}
