/**
 * Bytes-per-second limit for one stream. The bucket holds at most one second of tokens, so a stream that
 * was idle cannot then burst far above its limit. Clock and sleep are injectable for tests.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly bytesPerSecond: number,
    private readonly now: () => number = () => performance.now(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {
    this.tokens = bytesPerSecond;
    this.last = now();
  }

  /** Waits until `bytes` may pass. Requests larger than the bucket are paid off over several refills. */
  async take(bytes: number): Promise<void> {
    this.refill();
    this.tokens -= bytes;
    if (this.tokens >= 0) return;
    await this.sleep((-this.tokens / this.bytesPerSecond) * 1000);
    this.refill();
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.bytesPerSecond, this.tokens + ((now - this.last) / 1000) * this.bytesPerSecond);
    this.last = now;
  }
}
