import { resolve } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { startWorker, stopWorker } from '../controls/start-worker.js';
import { decodeWalkBatch, WALK_BATCH_ENTRIES, walkInBatches, type EncodedWalkBatch } from './walk-batches.js';
import type { WalkedItem } from './tree-walker.js';

export interface WalkWorkerData extends Required<WalkTuning> {
  root: string;
  startAfter: string | null | undefined;
}

/** Batch size and how far the thread may run ahead; tests shrink them to exercise the flow control. */
export interface WalkTuning {
  batchEntries?: number;
  aheadBatches?: number;
}

export type WalkReply =
  | { batch: EncodedWalkBatch }
  | { done: true }
  | { error: { message: string; code?: string; errno?: number; syscall?: string; path?: string } };

/** Batches the walk thread may run ahead of the backup: 32k entries, a few MB. */
const AHEAD_BATCHES = 64;

/** The tree's entries in walk order, in batches; see startWalk. */
export interface WalkSource {
  batches(): AsyncGenerator<WalkedItem[]>;
  close(): Promise<void>;
}

/**
 * Starts walking `root` (lstat of every entry, in walk order). On a thread, the walk starts before the
 * repository is even open and runs beside everything the backup does on the main thread: an unchanged
 * re-run is mostly this walk, and it had the main thread to itself while the second core idled. Without a
 * thread (where workers cannot load this module) the same walk runs on the calling thread.
 */
export function startWalk(root: string, startAfter: string | null | undefined, onThread: boolean, tuning: WalkTuning = {}): WalkSource {
  return onThread ? new WalkThread(root, startAfter, tuning) : inlineWalk(root, startAfter);
}

function inlineWalk(root: string, startAfter: string | null | undefined): WalkSource {
  return {
    async *batches() {
      yield* walkInBatches(root, startAfter);
    },
    close: () => Promise.resolve(),
  };
}

class WalkThread implements WalkSource {
  private readonly worker: Worker;
  private readonly absoluteRoot: string;
  /** Replies not yet consumed; a failure is kept until it is reached. */
  private readonly arrived: (WalkReply | Error)[] = [];
  private wake: (() => void) | undefined;
  private consumed = 0;
  private finished = false;

  constructor(root: string, startAfter: string | null | undefined, tuning: WalkTuning) {
    // The absolute root walkTree resolves on the thread, for the absolute paths decoded here.
    this.absoluteRoot = resolve(root);
    const data: WalkWorkerData = { root, startAfter, batchEntries: tuning.batchEntries ?? WALK_BATCH_ENTRIES, aheadBatches: tuning.aheadBatches ?? AHEAD_BATCHES };
    this.worker = startWorker(import.meta.url, 'walk-worker', data);
    this.worker.on('message', (reply: WalkReply) => this.receive(reply));
    this.worker.on('error', (error) => this.receive(error));
    this.worker.on('exit', (code) => {
      if (!this.finished) this.receive(new Error(`the walk thread exited (code ${code}) before the walk ended`));
    });
  }

  async *batches(): AsyncGenerator<WalkedItem[]> {
    for (;;) {
      while (this.arrived.length === 0) await new Promise<void>((resolve) => (this.wake = resolve));
      const reply = this.arrived.shift()!;
      if (reply instanceof Error) throw reply;
      if ('error' in reply) {
        const { message, ...system } = reply.error;
        // Shaped like the system error it was on the walk thread (code, syscall, path), for the same handling.
        throw Object.assign(new Error(message), system);
      }
      if ('done' in reply) return;
      this.worker.postMessage(++this.consumed);
      yield decodeWalkBatch(reply.batch, this.absoluteRoot);
    }
  }

  async close(): Promise<void> {
    this.finished = true;
    await stopWorker(this.worker);
  }

  private receive(reply: WalkReply | Error): void {
    if (!(reply instanceof Error) && 'done' in reply) this.finished = true;
    this.arrived.push(reply);
    this.wake?.();
    this.wake = undefined;
  }
}
