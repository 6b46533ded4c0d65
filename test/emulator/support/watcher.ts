import type { Watch } from '@kubernetes/client-node';

export type WatchPhase = 'ADDED' | 'MODIFIED' | 'DELETED';
export interface WatchedObject {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string; uid?: string };
}

/**
 * Lists then watches one collection path for as long as it runs, re-listing after any error or an
 * expired resourceVersion (410). Every listed object is reported as ADDED, so a handler that is
 * idempotent (every reconcile here is) recovers from missed events without extra bookkeeping.
 */
export class Watcher<T extends WatchedObject> {
  private abort: AbortController | undefined;
  private stopped = false;
  private resourceVersion = '';
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly watch: Watch,
    private readonly path: string,
    private readonly list: () => Promise<{ items: T[]; metadata?: { resourceVersion?: string } }>,
    private readonly onEvent: (phase: WatchPhase, object: T) => void,
    private readonly onError: (message: string) => void = () => {},
  ) {}

  /** Resolves after the first list has been delivered; rejects if that list fails. */
  async start(): Promise<void> {
    await this.relist();
    // Runs for as long as the watcher does; resume catches its own errors and retries through restart().
    void this.resume();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.abort?.abort();
  }

  private async relist(): Promise<void> {
    const listed = await this.list();
    this.resourceVersion = listed.metadata?.resourceVersion ?? '';
    for (const item of listed.items) this.onEvent('ADDED', item);
  }

  private async resume(): Promise<void> {
    if (this.stopped) return;
    try {
      if (!this.resourceVersion) await this.relist();
      this.abort = await this.watch.watch(
        this.path,
        { resourceVersion: this.resourceVersion, allowWatchBookmarks: true },
        (phase, object: T & { code?: number }) => {
          if (phase === 'ERROR') {
            if (object.code === 410) this.resourceVersion = '';
            return;
          }
          if (object.metadata?.resourceVersion) this.resourceVersion = object.metadata.resourceVersion;
          if (phase === 'BOOKMARK') return;
          this.onEvent(phase as WatchPhase, object);
        },
        (err: unknown) => this.restart(err),
      );
    } catch (err) {
      this.restart(err);
    }
  }

  private restart(err: unknown): void {
    if (this.stopped) return;
    if (err) {
      const status = (err as { statusCode?: number; code?: number }).statusCode ?? (err as { code?: number }).code;
      if (status === 410) this.resourceVersion = '';
      else if (!['AbortError', 'TimeoutError'].includes((err as { name?: string }).name ?? '')) this.onError(`watch ${this.path}: ${String(err)}`);
    }
    // A watch that ends without error is the server closing it after its timeout: resume from where we were.
    this.retryTimer = setTimeout(() => void this.resume(), err ? 500 : 0);
  }
}
