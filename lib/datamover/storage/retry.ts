import { DataMoverError, StorageUnavailableError } from '../errors.js';

/**
 * Retries for storage calls. Only failures that another attempt can fix are retried: server errors,
 * throttling and broken connections. Everything else (403, 404, precondition failed) surfaces at once.
 */
export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  sleep: (ms: number) => Promise<void>;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 8,
  baseDelayMs: 200,
  maxDelayMs: 15_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

const THROTTLING_NAMES = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestTimeout',
  'RequestTimeoutException',
  'ServiceUnavailable',
  'InternalError',
]);
const CONNECTION_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'ECONNABORTED', 'UND_ERR_SOCKET']);

export function isRetryableStorageError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  // The bounds' own errors (a deadline, an oversized answer, not S3) say themselves whether to try again.
  if (error instanceof DataMoverError) return error.retryable;
  const candidate = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number }; message?: string };
  const status = candidate.$metadata?.httpStatusCode;
  if (status !== undefined && (status >= 500 || status === 429)) return true;
  if (candidate.name && THROTTLING_NAMES.has(candidate.name)) return true;
  if (candidate.code && CONNECTION_CODES.has(candidate.code)) return true;
  return /socket hang up|ECONNRESET|EPIPE/.test(candidate.message ?? '');
}

/** Exponential backoff with full jitter, so many movers hitting one throttled bucket spread out. */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export async function withRetries<T>(operation: string, key: string, policy: RetryPolicy, call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!isRetryableStorageError(error)) throw error;
      if (attempt >= policy.maxAttempts) throw new StorageUnavailableError(operation, key, error);
      await policy.sleep(backoffDelay(policy, attempt));
    }
  }
}
