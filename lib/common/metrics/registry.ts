import { collectDefaultMetrics, Registry } from 'prom-client';

/** The processes that serve metrics; the `process` label tells their series apart on a shared Prometheus. */
export const METRIC_PROCESSES = ['api', 'worker', 'agent', 'gateway'] as const;
export type MetricProcess = (typeof METRIC_PROCESSES)[number];

/** Every Haven series starts with this. */
export const METRIC_PREFIX = 'haven_';

/**
 * A registry of one process, with Node's own series (heap, event loop lag, CPU). A registry per process
 * object rather than prom-client's global one, so tests can run several in one Node process.
 */
export function processRegistry(process: MetricProcess): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ process });
  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  return registry;
}
