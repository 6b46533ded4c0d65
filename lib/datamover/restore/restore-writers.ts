import type { Worker } from 'node:worker_threads';
import { movable, startWorker, stopWorker } from '../controls/start-worker.js';
import type { OpeningKeys } from './chunk-opening.js';
import type { RunSlots } from './run-slots.js';
import { writeChunkRun, writeSmallFiles } from './sync-writes.js';
import { fromWireError, type WriterJob, type WriterReply, type WriterRequest, type WriterWorkerData } from './writer-messages.js';

/**
 * Where a restore's CPU and blocking work goes: opening and verifying chunks, and creating and writing
 * files. The main thread keeps the walk, the fetches and the bookkeeping; with threads, file creation (which
 * on ext4 can cost hundreds of µs each, in the kernel) and AES/zstd/HMAC run on every core.
 */
export interface RestoreWriters {
  /** Takes ownership of the job's bytes (they are moved to a thread). */
  run(job: WriterJob): Promise<void>;
  close(): Promise<void>;
}

export function createRestoreWriters(keys: OpeningKeys, runs: RunSlots, threads: number): RestoreWriters {
  return threads > 0 ? new ThreadedRestoreWriters(keys, runs, threads) : new InlineRestoreWriters(keys, runs);
}

class InlineRestoreWriters implements RestoreWriters {
  constructor(
    private readonly keys: OpeningKeys,
    private readonly runs: RunSlots,
  ) {}

  run(job: WriterJob): Promise<void> {
    try {
      if (job.op === 'small-files') writeSmallFiles(this.keys, job);
      else writeChunkRun(this.keys, { memory: this.runs.memory, slotBytes: this.runs.slotBytes }, job);
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

interface PendingJob {
  slot: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

class ThreadedRestoreWriters implements RestoreWriters {
  private workers: Worker[] = [];
  private load: number[] = [];
  private readonly pending = new Map<number, PendingJob>();
  private sequence = 0;
  private failure: Error | undefined;

  /** Threads start with the first job: a restore of directories and links alone never pays for them. */
  constructor(
    private readonly keys: OpeningKeys,
    private readonly runs: RunSlots,
    private readonly threads: number,
  ) {}

  run(job: WriterJob): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    this.ensureStarted();
    let slot = 0;
    for (let i = 1; i < this.workers.length; i++) if (this.load[i]! < this.load[slot]!) slot = i;
    const sequence = this.sequence++;
    // Bytes that are not in the shared run memory are moved, never cloned.
    const transfer: ArrayBuffer[] = [];
    const move = (bytes: Uint8Array) => {
      const own = movable(bytes);
      transfer.push(own.buffer as ArrayBuffer);
      return own;
    };
    const moved: WriterJob =
      job.op === 'small-files'
        ? { ...job, bundles: job.bundles.map((bundle) => ({ ...bundle, stored: move(bundle.stored) })) }
        : job.stored instanceof Uint8Array
          ? { ...job, stored: move(job.stored) }
          : job;
    this.load[slot]!++;
    const done = new Promise<void>((resolve, reject) => this.pending.set(sequence, { slot, resolve, reject }));
    const request: WriterRequest = { sequence, job: moved };
    this.workers[slot]!.postMessage(request, transfer);
    return done;
  }

  async close(): Promise<void> {
    const workers = this.workers;
    this.workers = [];
    await Promise.all(workers.map(stopWorker));
  }

  private ensureStarted(): void {
    if (this.workers.length > 0) return;
    const data: WriterWorkerData = { dataKey: this.keys.dataKey, idKey: this.keys.idKey, runMemory: this.runs.memory, slotBytes: this.runs.slotBytes };
    this.workers = Array.from({ length: this.threads }, () => {
      const worker = startWorker(import.meta.url, 'restore-writer-worker', data);
      worker.on('message', (reply: WriterReply) => this.settle(reply));
      worker.on('error', (error) => this.failAll(error));
      worker.on('exit', (code) => {
        if (this.workers.includes(worker)) this.failAll(new Error(`a restore writer thread exited (code ${code})`));
      });
      return worker;
    });
    this.load = this.workers.map(() => 0);
  }

  private settle(reply: WriterReply): void {
    const job = this.pending.get(reply.sequence);
    if (!job) return;
    this.pending.delete(reply.sequence);
    this.load[job.slot]!--;
    if (reply.error) job.reject(fromWireError(reply.error));
    else job.resolve();
  }

  private failAll(error: Error): void {
    this.failure ??= error;
    for (const job of this.pending.values()) job.reject(error);
    this.pending.clear();
  }
}
