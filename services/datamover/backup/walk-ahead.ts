import type { WalkedItem } from './tree-walker.js';

/** Entries walked per turn of the event loop while filling: short enough not to delay the start-up I/O. */
const SLICE_ENTRIES = 256;

/**
 * Runs a tree walk ahead while the run is still starting (lock, index, parent manifest): the main thread
 * mostly waits on storage then, and lstat is a large share of an unchanged re-run. Items are kept until
 * the run iterates, at most `limit` of them (~1 KiB each), and the walk is resumed from there.
 *
 * The walk fills in slices between other work; once iteration starts, filling stops and the rest of the
 * walk runs in step with the caller, as without a head start. A walk error is raised where it happened.
 */
export class WalkAhead implements Iterable<WalkedItem> {
  private readonly buffered: WalkedItem[] = [];
  private filling = true;
  private finished = false;
  private error: { cause: unknown } | undefined;
  private timer: NodeJS.Immediate | undefined;

  constructor(
    private readonly walk: Iterator<WalkedItem>,
    private readonly limit: number,
  ) {
    this.timer = setImmediate(() => this.fill());
  }

  /** Stops filling; for a run that ends before it iterates. */
  stop(): void {
    this.filling = false;
    if (this.timer) clearImmediate(this.timer);
  }

  *[Symbol.iterator](): Generator<WalkedItem> {
    this.stop();
    for (let at = 0; at < this.buffered.length; at++) {
      yield this.buffered[at]!;
      this.buffered[at] = undefined as unknown as WalkedItem;
    }
    if (this.error) throw this.error.cause;
    if (this.finished) return;
    for (let next = this.walk.next(); !next.done; next = this.walk.next()) yield next.value;
  }

  private fill(): void {
    this.timer = undefined;
    if (!this.filling || this.finished || this.error) return;
    try {
      for (let i = 0; i < SLICE_ENTRIES && this.buffered.length < this.limit; i++) {
        const next = this.walk.next();
        if (next.done) {
          this.finished = true;
          return;
        }
        this.buffered.push(next.value);
      }
    } catch (cause) {
      this.error = { cause };
      return;
    }
    if (this.buffered.length < this.limit) this.timer = setImmediate(() => this.fill());
  }
}
