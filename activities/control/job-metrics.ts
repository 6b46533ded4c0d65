import { Counter, Histogram, type Registry } from 'prom-client';
import type { JobKind, JobStatus } from '../../lib/common/enums.js';

/** A job that has just left RUNNING, as the metrics and notifications see it. */
export interface EndedJob {
  orgId: string;
  jobId: string;
  kind: JobKind;
  status: Exclude<JobStatus, 'RUNNING'>;
  definitionId: string | null;
  definitionName: string;
  startedAt: Date;
  endedAt: Date;
  bytesTransferred: number;
}

export interface JobMetrics {
  observe(job: EndedJob): void;
}

/** From a minute (a small namespace) to a day (a large volume over a slow link). */
const DURATION_BUCKETS_SECONDS = [10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 86400];

/**
 * Counted once per job, when finishJob moves it out of RUNNING: a retried finishJob does not count again.
 * Counters of each worker replica add up in Prometheus (`sum(increase(...))`).
 */
export function jobMetrics(registry: Registry): JobMetrics {
  const finished = new Counter({
    name: 'haven_jobs_finished_total',
    help: 'Jobs ended, by kind and outcome (COMPLETED, PARTIAL, FAILED, SKIPPED, CANCELLED).',
    labelNames: ['kind', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'haven_job_duration_seconds',
    help: 'Wall time of ended jobs, from start to end, by kind and outcome.',
    labelNames: ['kind', 'status'],
    buckets: DURATION_BUCKETS_SECONDS,
    registers: [registry],
  });
  const bytes = new Counter({
    name: 'haven_job_bytes_transferred_total',
    help: 'Bytes moved by ended jobs (uploaded by backups, downloaded by restores), by kind.',
    labelNames: ['kind'],
    registers: [registry],
  });
  return {
    observe(job) {
      finished.inc({ kind: job.kind, status: job.status });
      duration.observe({ kind: job.kind, status: job.status }, Math.max(0, (job.endedAt.getTime() - job.startedAt.getTime()) / 1000));
      if (job.bytesTransferred > 0) bytes.inc({ kind: job.kind }, job.bytesTransferred);
    },
  };
}
