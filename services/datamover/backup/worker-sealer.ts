import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { SealedChunk } from '../crypto/chunk-sealing.js';
import type { ChunkSealer, HashedChunk } from './chunk-store.js';
import type { SealerReply, SealerRequest } from './sealer-messages.js';

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

/** Chunks held per worker (hashing, awaiting a verdict, sealing): enough to keep it busy, few enough to bound memory. */
const JOBS_PER_WORKER = 6;

interface Job {
  slot: number;
  onHashed: (chunk: HashedChunk) => void;
  onSealed?: (sealed: SealedChunk) => void;
  reject: (error: Error) => void;
}

/**
 * Hashes and seals chunks on worker threads. The thread that walks, reads and chunks is the bottleneck on
 * small machines; the keyed hash, zstd and AES-GCM are the other half of the CPU work and parallelise
 * perfectly. Each chunk is copied once into a buffer of its own and moved (not cloned) to a worker; sealed
 * bytes are moved back.
 */
export class WorkerSealer implements ChunkSealer {
  private workers: Worker[] = [];
  private readonly jobs = new Map<number, Job>();
  private load: number[] = [];
  private readonly waiting: (() => void)[] = [];
  private sequence = 0;

  /**
   * Threads start with the first chunk to seal: an unchanged re-run seals nothing and should not pay for
   * starting and loading them.
   */
  constructor(
    private readonly keys: { dataKey: Buffer; idKey: Buffer },
    private readonly compressionLevel: number,
    private readonly threads = Math.max(1, availableParallelism() - 1),
  ) {}

  async submit(data: Buffer, metadata: boolean): Promise<{ hashed: Promise<HashedChunk> }> {
    if (this.workers.length === 0) this.start();
    let slot = this.leastLoaded();
    while (this.load[slot]! >= JOBS_PER_WORKER) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
      slot = this.leastLoaded();
    }
    const sequence = this.sequence++;
    this.load[slot]!++;
    const hashed = new Promise<HashedChunk>((onHashed, reject) => this.jobs.set(sequence, { slot, onHashed, reject }));
    const own = new Uint8Array(data.length);
    own.set(data);
    this.post(slot, { op: 'hash', sequence, data: own, metadata }, [own.buffer]);
    return { hashed };
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }

  private start(): void {
    const { dataKey, idKey } = this.keys;
    this.workers = Array.from({ length: this.threads }, () => {
      const worker = startWorker({ dataKey, idKey, compressionLevel: this.compressionLevel });
      worker.on('message', (reply: SealerReply) => this.settle(reply));
      worker.on('error', (error) => this.failAll(error));
      return worker;
    });
    this.load = this.workers.map(() => 0);
  }

  private post(slot: number, request: SealerRequest, transfer: ArrayBuffer[] = []): void {
    this.workers[slot]!.postMessage(request, transfer);
  }

  private leastLoaded(): number {
    let best = 0;
    for (let i = 1; i < this.load.length; i++) if (this.load[i]! < this.load[best]!) best = i;
    return best;
  }

  private release(job: Job, sequence: number): void {
    this.jobs.delete(sequence);
    this.load[job.slot]!--;
    this.waiting.shift()?.();
  }

  private settle(reply: SealerReply): void {
    const job = this.jobs.get(reply.sequence);
    if (!job) return;
    if (reply.error !== undefined) {
      this.release(job, reply.sequence);
      job.reject(new Error(`sealing failed: ${reply.error}`));
    } else if (reply.id) {
      const id = Buffer.from(reply.id.buffer, reply.id.byteOffset, reply.id.byteLength);
      job.onHashed({
        id,
        seal: () =>
          new Promise<SealedChunk>((resolve, reject) => {
            job.onSealed = resolve;
            job.reject = reject;
            this.post(job.slot, { op: 'seal', sequence: reply.sequence });
          }),
        drop: () => {
          this.release(job, reply.sequence);
          this.post(job.slot, { op: 'drop', sequence: reply.sequence });
        },
      });
    } else if (reply.stored) {
      this.release(job, reply.sequence);
      job.onSealed?.({ stored: Buffer.from(reply.stored.buffer, reply.stored.byteOffset, reply.stored.byteLength), flags: reply.flags ?? 0 });
    }
  }

  private failAll(error: Error): void {
    for (const job of this.jobs.values()) job.reject(error);
    this.jobs.clear();
  }
}
