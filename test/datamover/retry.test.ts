import { describe, expect, it } from 'vitest';
import { StorageUnavailableError } from '../../lib/datamover/errors.js';
import { backoffDelay, isRetryableStorageError, withRetries, type RetryPolicy } from '../../lib/datamover/storage/retry.js';
import { TokenBucket } from '../../lib/datamover/controls/token-bucket.js';

function policy(sleeps: number[]): RetryPolicy {
  return { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000, sleep: async (ms) => void sleeps.push(ms) };
}

const serverError = Object.assign(new Error('internal'), { name: 'InternalError', $metadata: { httpStatusCode: 500 } });
const throttled = Object.assign(new Error('slow down'), { name: 'SlowDown', $metadata: { httpStatusCode: 503 } });
const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
const forbidden = Object.assign(new Error('denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });

describe('storage retries', () => {
  it('retries 5xx, throttling and connection resets with growing backoff', async () => {
    const sleeps: number[] = [];
    const failures = [serverError, throttled, reset];
    let calls = 0;
    const result = await withRetries('PutObject', 'k', policy(sleeps), async () => {
      calls++;
      const failure = failures.shift();
      if (failure) throw failure;
      return 'stored';
    });
    expect(result).toBe('stored');
    expect(calls).toBe(4);
    expect(sleeps).toHaveLength(3);
    expect(sleeps[2]!).toBeGreaterThanOrEqual(200);
  });

  it('does not retry client errors', async () => {
    let calls = 0;
    await expect(
      withRetries('GetObject', 'k', policy([]), async () => {
        calls++;
        throw forbidden;
      }),
    ).rejects.toBe(forbidden);
    expect(calls).toBe(1);
    expect(isRetryableStorageError(forbidden)).toBe(false);
  });

  it('gives up with a retryable StorageUnavailableError naming the operation and key', async () => {
    const failure = await withRetries('PutObject', 'packs/x', policy([]), async () => {
      throw throttled;
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StorageUnavailableError);
    expect((failure as StorageUnavailableError).retryable).toBe(true);
    expect((failure as Error).message).toContain('packs/x');
  });

  it('caps backoff and keeps jitter within half to full of the ceiling', () => {
    const capped = policy([]);
    expect(backoffDelay(capped, 10, () => 0)).toBe(500);
    expect(backoffDelay(capped, 10, () => 1)).toBe(1000);
    expect(backoffDelay(capped, 1, () => 0)).toBe(50);
  });
});

describe('per-stream token bucket', () => {
  it('lets a second of bytes through, then makes the stream wait for its rate', async () => {
    let now = 0;
    const waits: number[] = [];
    const bucket = new TokenBucket(1000, () => now, async (ms) => {
      waits.push(ms);
      now += ms;
    });
    await bucket.take(1000);
    expect(waits).toEqual([]);
    await bucket.take(500);
    expect(waits).toEqual([500]);
    now += 2000;
    await bucket.take(1000);
    expect(waits).toEqual([500]);
  });
});
