interface Slot<T> {
  value?: T;
  settled: boolean;
  promise?: Promise<T>;
}

/**
 * Results of work started in order, to be used in that same order: each is a value or a promise. Whether
 * the oldest one is already there is answered synchronously, so a caller can use ready results in a loop
 * without a promise hop each (see the backup's tree walk).
 */
export class OrderedResults<T> {
  private readonly slots: Slot<T>[] = [];
  private head = 0;

  get length(): number {
    return this.slots.length - this.head;
  }

  push(result: T | Promise<T>): void {
    if (!(result instanceof Promise)) {
      this.slots.push({ value: result, settled: true });
      return;
    }
    const slot: Slot<T> = { settled: false, promise: result };
    result.then(
      (value) => Object.assign(slot, { value, settled: true }),
      // Surfaces when the slot is taken; until then it must not count as unhandled.
      () => undefined,
    );
    this.slots.push(slot);
  }

  /** The oldest result if it has settled successfully; undefined if there is none or it is still pending. */
  takeReady(): { value: T } | undefined {
    const slot = this.slots[this.head];
    if (!slot?.settled) return undefined;
    return { value: this.take().value as T };
  }

  /** Waits for the oldest result (rejecting if it failed) and removes it. */
  async takeOldest(): Promise<T> {
    const slot = this.take();
    return slot.settled ? (slot.value as T) : slot.promise!;
  }

  /** Waits until every pending result has settled, ignoring failures: nothing is left running. */
  async settleAll(): Promise<void> {
    await Promise.allSettled(this.slots.slice(this.head).flatMap((slot) => (slot.promise ? [slot.promise] : [])));
    this.slots.length = this.head = 0;
  }

  private take(): Slot<T> {
    if (this.head >= this.slots.length) throw new Error('no result left');
    const slot = this.slots[this.head++]!;
    // Compacts now and then, so the array does not grow with the whole walk.
    if (this.head >= 1024 && this.head * 2 >= this.slots.length) {
      this.slots.splice(0, this.head);
      this.head = 0;
    }
    return slot;
  }
}
