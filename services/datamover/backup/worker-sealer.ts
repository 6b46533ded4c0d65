import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { SealedChunk } from '../crypto/chunk-sealing.js';
import type { ChunkSealer } from './chunk-store.js';

/**
 * Run from TypeScript sources (tsx), a worker does not inherit the loader: it registers tsx itself before
 * importing the worker module. Built JavaScript starts the module directly.
 */
function startWorker(workerData: unknown): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./seal-worker.js', import.meta.url), { workerData });
  const script = new URL('./seal-worker.ts', import.meta.url).href;
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then(({ register }) => { register(); return import(${JSON.stringify(script)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}

/** Chunks queued per worker: enough to keep it busy, few enough to bound the copies in flight. */
const JOBS_PER_WORKER = 4;

interface Pending {
  resolve: (sealed: SealedChunk) => void;
  reject: (error: Error) => void;
}

/**
 * Seals chunks on worker threads. The thread that walks, reads, chunks and hashes is the bottleneck on
 * small machines; zstd and AES-GCM are the other half of the CPU work and parallelise perfectly.
 * Needs the process to load TypeScript in workers (node --import tsx propagates to them).
 */
export class WorkerSealer implements ChunkSealer {
  private workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private load: number[] = [];
  private readonly waiting: (() => void)[] = [];
  private sequence = 0;

  /**
   * Threads start with the first chunk to seal: an unchanged re-run seals nothing and should not pay for
   * starting and loading them.
   */
  constructor(
    private readonly dataKey: Buffer,
    private readonly compressionLevel: number,
    private readonly threads = Math.max(1, availableParallelism() - 1),
  ) {}

  async submit(id: Buffer, data: Buffer, metadata: boolean): Promise<{ sealed: Promise<SealedChunk> }> {
    if (this.workers.length === 0) this.start();
    let slot = this.leastLoaded();
    while (this.load[slot]! >= JOBS_PER_WORKER) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
      slot = this.leastLoaded();
    }
    const sequence = this.sequence++;
    this.load[slot]!++;
    const sealed = new Promise<SealedChunk>((resolve, reject) => this.pending.set(sequence, { resolve, reject }));
    // Structured clone copies `data` here: the caller may reuse its read buffer once this returns.
    this.workers[slot]!.postMessage({ sequence, id, data, metadata });
    return { sealed };
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }

  private start(): void {
    const { dataKey, compressionLevel } = this;
    this.workers = Array.from({ length: this.threads }, () => {
      const worker = startWorker({ dataKey, compressionLevel });
      worker.on('message', (reply: { sequence: number; stored?: Uint8Array; flags?: number; error?: string }) => this.settle(worker, reply));
      worker.on('error', (error) => this.failAll(error));
      return worker;
    });
    this.load = this.workers.map(() => 0);
  }

  private leastLoaded(): number {
    let best = 0;
    for (let i = 1; i < this.load.length; i++) if (this.load[i]! < this.load[best]!) best = i;
    return best;
  }

  private settle(worker: Worker, reply: { sequence: number; stored?: Uint8Array; flags?: number; error?: string }): void {
    this.load[this.workers.indexOf(worker)]!--;
    this.waiting.shift()?.();
    const pending = this.pending.get(reply.sequence);
    if (!pending) return;
    this.pending.delete(reply.sequence);
    if (reply.error !== undefined || !reply.stored) pending.reject(new Error(`sealing failed: ${reply.error ?? 'no output'}`));
    else pending.resolve({ stored: Buffer.from(reply.stored.buffer, reply.stored.byteOffset, reply.stored.byteLength), flags: reply.flags ?? 0 });
  }

  private failAll(error: Error): void {
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}
