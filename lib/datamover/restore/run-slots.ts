/**
 * Fixed slots of one SharedArrayBuffer that fetched runs of chunks are read into and writer threads read
 * from. Shared once with every thread, so a run crosses threads as a slot number: no transfer, and no
 * 4 MiB allocation per read for the GC to chase (on S3 restores that churn cost more CPU than the data).
 * The slot count is the restore's memory budget for fetched bytes. Freed slots are reused last-in first-out,
 * so only as many slots as are ever in use at once get touched (and count in RSS).
 */
export class RunSlots {
  readonly memory: SharedArrayBuffer;
  private readonly free: number[];
  private readonly waiting: ((slot: number) => void)[] = [];

  constructor(
    readonly count: number,
    readonly slotBytes: number,
  ) {
    this.memory = new SharedArrayBuffer(count * slotBytes);
    this.free = Array.from({ length: count }, (_, i) => count - 1 - i);
  }

  acquire(): Promise<number> {
    const slot = this.free.pop();
    if (slot !== undefined) return Promise.resolve(slot);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(slot: number): void {
    const next = this.waiting.shift();
    if (next) next(slot);
    else this.free.push(slot);
  }

  view(slot: number, length = this.slotBytes): Buffer {
    return Buffer.from(this.memory, slot * this.slotBytes, length);
  }
}
