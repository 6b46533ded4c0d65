import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import proto from '@temporalio/proto';

/**
 * Where runs spent their time, from Temporal's histories: for every workflow started in a window, each
 * activity's wait (scheduled until a worker took it: for a mover activity, the pod's start-up) and run
 * time, its timers, then totals per activity type. Histories hold event types, times and activity names
 * in clear (payloads stay sealed), so it needs no key. Used to profile slow test files:
 *
 *   set -a && . /tmp/haven-dev/test.env && set +a
 *   start=$(date -u +%FT%TZ); npx vitest run test/replication/replication-run.test.ts
 *   npx tsx scripts/run-timeline.ts --since "$start" [--until <time>] [--quiet]
 *
 * The window takes every workflow of the shared Temporal: another file running meanwhile shows too.
 */
const { values } = parseArgs({ options: { since: { type: 'string' }, until: { type: 'string' }, quiet: { type: 'boolean' } } });
if (!values.since || !process.env.TEMPORAL_ADDRESS) {
  console.error('usage: TEMPORAL_ADDRESS=host:port tsx scripts/run-timeline.ts --since <ISO time> [--until <ISO time>] [--quiet]');
  process.exit(2);
}
const until = values.until ?? new Date().toISOString();

type HistoryEvent = proto.temporal.api.history.v1.IHistoryEvent;
const { EventType } = proto.temporal.api.enums.v1;
const millis = (event: HistoryEvent) => (event.eventTime ? Number(event.eventTime.seconds) * 1000 + Math.floor((event.eventTime.nanos ?? 0) / 1e6) : 0);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

interface Totals {
  count: number;
  waitMs: number;
  runMs: number;
}
const totals = new Map<string, Totals>();
let timerMs = 0;

/** One workflow's lines: when each activity was scheduled (from the workflow's start), how long it waited and ran. */
function timeline(events: HistoryEvent[]): string[] {
  const lines: string[] = [];
  const start = millis(events[0] ?? {});
  const scheduled = new Map<string, { type: string; at: number; startedAt?: number }>();
  const timers = new Map<string, number>();
  for (const event of events) {
    const at = millis(event);
    const id = String(event.eventId);
    if (event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) scheduled.set(id, { type: event.activityTaskScheduledEventAttributes?.activityType?.name ?? '?', at });
    if (event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED) {
      const activity = scheduled.get(String(event.activityTaskStartedEventAttributes?.scheduledEventId));
      if (activity) activity.startedAt = at;
    }
    const ended = event.activityTaskCompletedEventAttributes ?? event.activityTaskFailedEventAttributes ?? event.activityTaskTimedOutEventAttributes;
    const activity = ended ? scheduled.get(String(ended.scheduledEventId)) : undefined;
    if (activity) {
      const startedAt = activity.startedAt ?? at;
      const key = event.activityTaskCompletedEventAttributes ? activity.type : `${activity.type} (failed or timed out)`;
      const sum = totals.get(key) ?? { count: 0, waitMs: 0, runMs: 0 };
      totals.set(key, { count: sum.count + 1, waitMs: sum.waitMs + startedAt - activity.at, runMs: sum.runMs + at - startedAt });
      lines.push(`  ${seconds(activity.at - start).padStart(7)}  ${key}: waited ${seconds(startedAt - activity.at)}, ran ${seconds(at - startedAt)}`);
    }
    if (event.eventType === EventType.EVENT_TYPE_TIMER_STARTED) timers.set(id, at);
    const firedFrom = event.timerFiredEventAttributes ? timers.get(String(event.timerFiredEventAttributes.startedEventId)) : undefined;
    if (firedFrom !== undefined) {
      timerMs += at - firedFrom;
      lines.push(`  ${seconds(firedFrom - start).padStart(7)}  timer of ${seconds(at - firedFrom)}`);
    }
  }
  return lines;
}

const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS });
try {
  const client = new Client({ connection, namespace: process.env.TEMPORAL_NAMESPACE || 'default' });
  let workflows = 0;
  for await (const workflow of client.workflow.list({ query: `StartTime > "${values.since}" AND StartTime < "${until}"` })) {
    workflows += 1;
    const events = (await client.workflow.getHandle(workflow.workflowId, workflow.runId).fetchHistory()).events ?? [];
    const took = millis(events.at(-1) ?? {}) - millis(events[0] ?? {});
    const lines = timeline(events);
    if (values.quiet) continue;
    console.log(`${seconds(took).padStart(8)} ${workflow.type} ${workflow.status.name} ${workflow.workflowId}`);
    for (const line of lines) console.log(line);
  }
  console.log(`\n${workflows} workflows; timers ${seconds(timerMs)}; per activity type (ran, waited, count):`);
  for (const [type, sum] of [...totals].sort(([, a], [, b]) => b.runMs + b.waitMs - a.runMs - a.waitMs)) {
    console.log(`${seconds(sum.runMs).padStart(8)} ${seconds(sum.waitMs).padStart(8)} ${String(sum.count).padStart(4)}  ${type}`);
  }
} finally {
  await connection.close();
}
