import { describe, expect, it } from 'vitest';
import { OrderedResults } from '../../lib/datamover/controls/ordered-results.js';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('OrderedResults', () => {
  it('hands out results in the order they were pushed, ready ones without waiting', async () => {
    const results = new OrderedResults<string>();
    const second = deferred<string>();
    results.push('first');
    results.push(second.promise);
    results.push('third');
    expect(results.takeReady()).toEqual({ value: 'first' });
    // The second is pending, so the third, although ready, is not handed out ahead of it.
    expect(results.takeReady()).toBeUndefined();
    second.resolve('second');
    await second.promise;
    expect(results.takeReady()).toEqual({ value: 'second' });
    expect(await results.takeOldest()).toBe('third');
    expect(results.length).toBe(0);
  });

  it('surfaces a failure only when its result is taken, and settleAll waits for work still running', async () => {
    const results = new OrderedResults<number>();
    const failing = deferred<number>();
    const slow = deferred<number>();
    results.push(failing.promise);
    results.push(slow.promise);
    failing.reject(new Error('read failed'));
    await expect(results.takeOldest()).rejects.toThrow('read failed');
    let settled = false;
    const settling = results.settleAll().then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(settled).toBe(false);
    slow.resolve(1);
    await settling;
    expect(results.length).toBe(0);
  });

  it('keeps its storage bounded over a long run', () => {
    const results = new OrderedResults<number>();
    for (let i = 0; i < 100_000; i++) {
      results.push(i);
      expect(results.takeReady()).toEqual({ value: i });
    }
    expect(results.length).toBe(0);
    expect((results as unknown as { slots: unknown[] }).slots.length).toBeLessThan(2048);
  });
});
