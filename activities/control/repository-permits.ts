import { Semaphore } from '../../lib/datamover/controls/semaphore.js';

/**
 * Repository activities (forgetting, locking, GC) one control worker runs at once
 * (HAVEN_REPOSITORY_CONCURRENCY). Each may hold a whole object of its repository in memory (an index of up
 * to MAX_INDEX_OBJECT_BYTES, lib/datamover/repository/object-bounds.ts) and the chunk index GC builds from
 * it; the worker serves every tenant, so how many of those it holds must not be up to how many
 * repositories tenants make it work on. Beyond this many, an activity waits (heartbeating) for a turn.
 */
export const DEFAULT_REPOSITORY_CONCURRENCY = 4;

/** Runs each `work` once a permit is free; at most `count` at a time, in the order they asked. */
export function repositoryPermits(count: number): <T>(work: () => Promise<T>) => Promise<T> {
  const permits = new Semaphore(count);
  return async (work) => {
    await permits.acquire();
    try {
      return await work();
    } finally {
      permits.release();
    }
  };
}
