import type { FastifyRateLimitStore } from '@fastify/rate-limit';

interface Window {
  start: number;
  count: number;
}

type Counted = (error: Error | null, result?: { current: number; ttl: number }) => void;

/**
 * Request counters for @fastify/rate-limit: one fixed window per client, at most `cache` of them. The
 * library's own store forgets the least recently seen counter when full, running or not, and a forgotten
 * counter is a fresh budget: a client able to make new clients (API keys, addresses) could reset its own
 * at will. Here a counter is dropped only once its window has ended, when it holds nothing. While every
 * tracked window is still running, new clients are counted together on one shared counter until one
 * ends: a flood of new clients can crowd newcomers, never give a spent budget back.
 */
export class WindowCounters implements FastifyRateLimitStore {
  /** In the order the windows started (a restarted window moves to the end), so ended ones come first. */
  private readonly windows = new Map<string, Window>();
  private shared: Window = { start: 0, count: 0 };
  private readonly capacity: number;

  /** `options` are the library's (its `cache` is the capacity); `now` is injectable so tests need not wait. */
  constructor(
    options: { cache?: number },
    private readonly now: () => number = Date.now,
  ) {
    this.capacity = options.cache ?? Number.POSITIVE_INFINITY;
  }

  incr(key: string, callback: Counted, timeWindow: number): void {
    const now = this.now();
    let window = this.windows.get(key);
    if (window && window.start + timeWindow <= now) {
      this.windows.delete(key);
      window = undefined;
    }
    if (!window) {
      this.dropEnded(now, timeWindow);
      if (this.windows.size < this.capacity) {
        window = { start: now, count: 0 };
        this.windows.set(key, window);
      } else {
        if (this.shared.start + timeWindow <= now) this.shared = { start: now, count: 0 };
        window = this.shared;
      }
    }
    window.count += 1;
    callback(null, { current: window.count, ttl: window.start + timeWindow - now });
  }

  child(options: object): WindowCounters {
    return new WindowCounters(options, this.now);
  }

  private dropEnded(now: number, timeWindow: number): void {
    for (const [key, window] of this.windows) {
      if (window.start + timeWindow > now) return;
      this.windows.delete(key);
    }
  }
}
