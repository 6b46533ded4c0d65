import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ActivityFunctions = Record<string, (...args: any[]) => Promise<unknown>>;

/** From a quick Kubernetes call to a long export or hook. */
const ACTIVITY_BUCKETS_SECONDS = [0.1, 0.5, 1, 5, 15, 60, 300, 1800, 3600];

/**
 * Wraps a worker's activities so each call is counted by name and outcome (ok, error) and timed. The
 * time of the last finished activity tells an agent that works from one that only polls.
 */
export function instrumentActivities<T extends ActivityFunctions>(registry: Registry, subsystem: string, activities: T): T {
  const calls = new Counter({
    name: `haven_${subsystem}_activities_total`,
    help: `Activities this ${subsystem} ran, by name and outcome (ok, error).`,
    labelNames: ['activity', 'outcome'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: `haven_${subsystem}_activity_duration_seconds`,
    help: `Time this ${subsystem}'s activities took, by name.`,
    labelNames: ['activity'],
    buckets: ACTIVITY_BUCKETS_SECONDS,
    registers: [registry],
  });
  const last = new Gauge({
    name: `haven_${subsystem}_last_activity_timestamp_seconds`,
    help: `When this ${subsystem} last finished an activity (Unix time).`,
    registers: [registry],
  });
  const wrapped: ActivityFunctions = {};
  for (const [name, activity] of Object.entries(activities)) {
    wrapped[name] = async (...args: unknown[]) => {
      const stop = duration.startTimer({ activity: name });
      try {
        const result = await activity(...args);
        calls.inc({ activity: name, outcome: 'ok' });
        return result;
      } catch (error) {
        calls.inc({ activity: name, outcome: 'error' });
        throw error;
      } finally {
        stop();
        last.setToCurrentTime();
      }
    };
  }
  return wrapped as T;
}
