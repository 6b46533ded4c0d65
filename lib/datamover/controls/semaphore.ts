/** Counts permits for a resource (concurrent files, bytes in flight); waiters are served in order. */
export class Semaphore {
  private readonly waiters: { amount: number; resolve: () => void }[] = [];

  constructor(private available: number) {}

  async acquire(amount = 1): Promise<void> {
    if (this.waiters.length === 0 && this.available >= amount) {
      this.available -= amount;
      return;
    }
    await new Promise<void>((resolve) => this.waiters.push({ amount, resolve }));
  }

  release(amount = 1): void {
    this.available += amount;
    while (this.waiters.length > 0 && this.available >= this.waiters[0]!.amount) {
      const waiter = this.waiters.shift()!;
      this.available -= waiter.amount;
      waiter.resolve();
    }
  }
}
