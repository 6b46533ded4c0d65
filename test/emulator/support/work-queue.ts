/**
 * A keyed work queue in the manner of client-go's: a key is processed by at most one worker at a time,
 * adding a key that is already waiting is a no-op, and a key added while it is being processed runs
 * again afterwards — so a reconcile always sees the newest state without racing itself.
 */
export class WorkQueue {
  private readonly waiting = new Set<string>();
  private readonly active = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private running = 0;
  private stopped = false;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly name: string,
    private readonly reconcile: (key: string) => Promise<void>,
    private readonly options: { concurrency?: number; maxBackoffMs?: number; onError?: (message: string) => void } = {},
  ) {}

  add(key: string): void {
    if (this.stopped) return;
    if (this.active.has(key)) {
      this.dirty.add(key);
      return;
    }
    this.waiting.add(key);
    this.pump();
  }

  /** Re-examines a key later: used for time-driven transitions such as a snapshot becoming ready. */
  addAfter(key: string, delayMs: number): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.add(key);
    }, Math.max(0, delayMs));
    this.timers.add(timer);
  }

  /** Stops accepting work and waits for the reconciles in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.waiting.clear();
    if (this.running === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    const concurrency = this.options.concurrency ?? 4;
    while (!this.stopped && this.running < concurrency && this.waiting.size > 0) {
      const key = this.waiting.values().next().value as string;
      this.waiting.delete(key);
      this.active.add(key);
      this.running += 1;
      // Not awaited: process catches the reconcile's errors itself (retry with backoff), and stop() waits for it.
      void this.process(key);
    }
  }

  private async process(key: string): Promise<void> {
    try {
      await this.reconcile(key);
      this.failures.delete(key);
    } catch (err) {
      // Conflicts and races with other controllers are normal: retry with backoff, as controllers do.
      const attempt = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, attempt);
      const delay = Math.min(50 * 2 ** attempt, this.options.maxBackoffMs ?? 2_000);
      this.options.onError?.(`${this.name} ${key}: ${describeError(err)} (retry ${attempt} in ${delay} ms)`);
      this.addAfter(key, delay);
    } finally {
      this.active.delete(key);
      this.running -= 1;
      if (this.dirty.delete(key)) this.add(key);
      if (this.running === 0 && this.stopped) for (const resolve of this.idleWaiters.splice(0)) resolve();
      this.pump();
    }
  }
}

export function describeError(err: unknown): string {
  if (err && typeof err === 'object') {
    const { code, body, message } = err as { code?: number; body?: unknown; message?: string };
    if (code && typeof body === 'string') {
      try {
        return `HTTP ${code}: ${(JSON.parse(body) as { message?: string }).message ?? body}`;
      } catch {
        return `HTTP ${code}: ${body}`;
      }
    }
    if (message) return message;
  }
  return String(err);
}
