import { Context } from '@temporalio/activity';
import type { VolumeProgress } from '../../proto/mover/index.js';

/** Tells the workflow how far a copy is, so its progress query can show per-PV figures while copying. */
export type ProgressSink = (workflow: { workflowId: string; runId: string }, progress: VolumeProgress) => Promise<void>;

/** Often enough for a person watching, rarely enough to keep the run's history small. */
export const PROGRESS_EVERY_MS = 5_000;

/**
 * Sends the copy's figures to the workflow that scheduled it, at most every PROGRESS_EVERY_MS. Progress
 * is advisory: a failed send is dropped, never fails the copy.
 */
export function progressReporter(sink: ProgressSink | undefined, now: () => number = Date.now): (progress: VolumeProgress, force?: boolean) => void {
  const { workflowExecution } = Context.current().info;
  let lastSentAt = Number.NEGATIVE_INFINITY;
  return (progress, force = false) => {
    if (!sink || !workflowExecution || (!force && now() - lastSentAt < PROGRESS_EVERY_MS)) return;
    lastSentAt = now();
    sink(workflowExecution, progress).catch(() => undefined);
  };
}
