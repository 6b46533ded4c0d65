/** A FIFO between one producer and one consumer; `fail` wakes both sides with the error. */
export class AsyncQueue<T> {
  private readonly items: T[] = [];
  private waiter: ((value: IteratorResult<T>) => void) | undefined;
  private rejecter: ((error: unknown) => void) | undefined;
  private closed = false;
  private error: unknown;

  push(item: T): void {
    if (this.error !== undefined) throw this.error;
    if (this.waiter) {
      const resolve = this.waiter;
      this.waiter = this.rejecter = undefined;
      resolve({ value: item, done: false });
    } else {
      this.items.push(item);
    }
  }

  close(): void {
    this.closed = true;
    if (this.waiter && this.items.length === 0) {
      const resolve = this.waiter;
      this.waiter = this.rejecter = undefined;
      resolve({ value: undefined, done: true });
    }
  }

  fail(error: unknown): void {
    this.error ??= error;
    if (this.rejecter) {
      const reject = this.rejecter;
      this.waiter = this.rejecter = undefined;
      reject(error);
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.error !== undefined) return Promise.reject(this.error);
    if (this.items.length > 0) return Promise.resolve({ value: this.items.shift()!, done: false });
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiter = resolve;
      this.rejecter = reject;
    });
  }
}
