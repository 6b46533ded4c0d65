import { Context } from '@temporalio/activity';

/** Well inside the workflows' heartbeat timeouts, so slow work is never taken for a dead agent. */
export const HEARTBEAT_EVERY_MS = 10_000;

/**
 * Heartbeats on a timer while `work` runs: listing a large cluster, a hook command or a snapshot being
 * cut are single waits with no natural checkpoints. `phase` reports where the work is.
 */
export async function withHeartbeats<T>(work: (phase: (name: string) => void) => Promise<T>): Promise<T> {
  const context = Context.current();
  let phase = 'starting';
  const timer = setInterval(() => context.heartbeat({ phase }), HEARTBEAT_EVERY_MS);
  try {
    return await work((name) => {
      phase = name;
      context.heartbeat({ phase });
    });
  } finally {
    clearInterval(timer);
  }
}
