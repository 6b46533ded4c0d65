import type { JobStatus, NotificationEvent } from '../common/enums.js';

/**
 * Notification rules every process shares, free of I/O (workflows import this): which job end is which
 * event, how a failed delivery is retried, and the delivery workflow's id.
 */

/** The outcomes that are notified as they are; COMPLETED is notified only as RECOVERED. */
const NOTIFIED_STATUSES: ReadonlySet<string> = new Set(['FAILED', 'PARTIAL', 'SKIPPED']);
/** Outcomes a later COMPLETED run recovers from. */
const FAILING_STATUSES: ReadonlySet<string> = new Set(['FAILED', 'PARTIAL']);

/**
 * The event a job end raises, or undefined. `previous` is how the definition's last run before this one
 * that did any work ended (COMPLETED, PARTIAL or FAILED; skipped and cancelled runs say nothing about
 * health), undefined when there was none.
 */
export function notificationEventOf(status: JobStatus, previous: JobStatus | undefined): NotificationEvent | undefined {
  if (NOTIFIED_STATUSES.has(status)) return status as NotificationEvent;
  if (status === 'COMPLETED' && previous !== undefined && FAILING_STATUSES.has(previous)) return 'RECOVERED';
  return undefined;
}

/** The statuses `previous` is looked up among. */
export const HEALTH_STATUSES = ['COMPLETED', 'PARTIAL', 'FAILED'] as const satisfies readonly JobStatus[];

/** How a delivery is retried: the first retry after `initialMs`, each next one `factor` times later, up to `maxMs`. */
export interface DeliveryRetry {
  maxAttempts: number;
  initialMs: number;
  factor: number;
  maxMs: number;
}

/** Six attempts over about 30 minutes: an endpoint restarting or a mail relay's greylisting is waited out. */
export const DEFAULT_DELIVERY_RETRY: DeliveryRetry = { maxAttempts: 6, initialMs: 30_000, factor: 2, maxMs: 15 * 60_000 };

/** How long to wait after failed attempt number `attempts` (1-based), or undefined when none is left. */
export function retryDelayMs(retry: DeliveryRetry, attempts: number): number | undefined {
  if (attempts >= retry.maxAttempts) return undefined;
  return Math.min(retry.maxMs, retry.initialMs * retry.factor ** (attempts - 1));
}

export interface DeliveryRef {
  orgId: string;
  deliveryId: string;
}

/** What one attempt answers the delivery workflow: done, or when to try again. */
export interface AttemptOutcome {
  retryInMs?: number;
}
