import { Context } from '@temporalio/activity';

/** Well inside the copy profile's heartbeat timeout, so a busy mover is never taken for a dead one. */
export const MOVER_HEARTBEAT_EVERY_MS = 5_000;

/**
 * Heartbeats on a timer with the latest details while `work` runs: a checkpoint may be minutes apart
 * on a large file, and the details must always be the last durable checkpoint (never a newer promise).
 * `withSample` adds what is measured at each beat (live progress figures) to the details sent.
 * Rejects with the cancellation as soon as Temporal delivers it: the workflow then deletes the pod.
 */
export async function heartbeatWhile<T, D>(initial: D, work: (update: (details: D) => void) => Promise<T>, withSample: (details: D) => D = (details) => details): Promise<T> {
  const context = Context.current();
  let details = initial;
  const beat = () => context.heartbeat(withSample(details));
  const timer = setInterval(beat, MOVER_HEARTBEAT_EVERY_MS);
  beat();
  try {
    const cancelled = new Promise<never>((_, reject) => {
      const signal = context.cancellationSignal;
      if (signal.aborted) reject(signal.reason);
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
    return await Promise.race([
      work((next) => {
        details = next;
        beat();
      }),
      cancelled,
    ]);
  } finally {
    clearInterval(timer);
  }
}
