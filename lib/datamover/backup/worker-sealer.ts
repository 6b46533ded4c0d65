import { MessageChannel, type MessagePort, type Worker } from 'node:worker_threads';
import type { ChunkerParams } from '../../../proto/repository/index.js';
import { startWorker, stopWorker } from '../controls/start-worker.js';
import type { SealedChunk } from '../crypto/chunk-sealing.js';
import { chunkId } from '../crypto/chunk-id.js';
import type { ChunkSealer, ChunkStream, HashedChunk } from './chunk-store.js';
import { type FreedPiece, STREAM_SEQUENCE_BASE, type SealerReply, type SealerRequest, type StreamReply } from './sealer-messages.js';

/** Chunks handed over one by one, held per worker: enough to keep it busy, few enough to bound memory. */
const JOBS_PER_WORKER = 6;
/**
 * Bytes one file may have on a worker before its reader waits: bounds memory per file in flight (counted in
 * the resource plan's PER_FILE_BYTES). 8 MiB keeps two reads of READ_BYTES ahead of the cutting.
 */
const STREAM_BUDGET_BYTES = 8 * 1024 * 1024;
/** Read buffers the workers gave back, kept for the next reads (at READ_BYTES each, 16 MiB). */
const MAX_SPARE_READ_BUFFERS = 4;

interface Job {
  /** The worker holding the chunk's bytes. */
  slot: number;
  /** The worker sealing it, once asked to. */
  sealingOn?: number;
  /** Counted against JOBS_PER_WORKER (handed over one by one), or against its stream's budget. */
  stream?: StreamState;
  length: number;
  onHashed?: (chunk: HashedChunk) => void;
  onSealed?: (sealed: SealedChunk) => void;
  reject: (error: Error) => void;
}

interface StreamState {
  slot: number;
  /** Bytes sent and not yet dropped or sealed. */
  unsettled: number;
  /** One per piece sent, in order; `length` is the piece's, queued on the worker until cut. */
  replies: { length: number; resolve: (chunks: { chunk: HashedChunk; length: number }[]) => void; reject: (error: Error) => void }[];
  waiting: (() => void)[];
  /** Its last piece was sent: forgotten once the replies are in. */
  ended: boolean;
}

interface WorkerSealerOptions {
  keys: { dataKey: Buffer; idKey: Buffer };
  compressionLevel: number;
  /** The data chunker, for files cut on the workers. */
  chunking: { params: ChunkerParams; gear: Int32Array };
  threads: number;
}

/**
 * Hashes and seals chunks on worker threads, and cuts whole files there too. The main thread then only
 * walks, reads and decides dedup; the gear scan, the keyed hash, zstd and AES-GCM are nearly all the CPU
 * work and run in parallel. Bytes are moved (transferred) to workers, never cloned; sealed bytes move back.
 */
export class WorkerSealer implements ChunkSealer {
  private workers: Worker[] = [];
  private readonly jobs = new Map<number, Job>();
  private readonly streams = new Map<number, StreamState>();
  private load: number[] = [];
  private streamLoad: number[] = [];
  /** Bytes each worker has been given to cut, hash or seal and has not answered yet: where to seal next. */
  private queued: number[] = [];
  /** Chunks each worker has sealed. */
  sealedBy: number[] = [];
  private readonly spareReadBuffers: ArrayBuffer[] = [];
  /** Read buffers handed out again instead of allocated. */
  reusedReadBuffers = 0;
  private readonly waiting: (() => void)[] = [];
  private sequence = 0;
  private nextStream = 0;
  /** A worker died: everything waiting on the sealer fails with its error. */
  private failure: Error | undefined;
  private readonly threads: number;

  /**
   * Threads start with the first chunk to seal: an unchanged re-run seals nothing and should not pay for
   * starting and loading them.
   */
  constructor(private readonly options: WorkerSealerOptions) {
    this.threads = options.threads;
  }

  async submit(data: Buffer, metadata: boolean): Promise<{ hashed: Promise<HashedChunk> }> {
    if (this.workers.length > 0) return this.submitToWorker(data, metadata);
    // Until a chunk turns out to be new, hash here: an unchanged re-run (its manifest chunks all known) then
    // never pays for starting the threads. The first new chunk starts them and is hashed again there.
    const id = chunkId(this.options.keys.idKey, data);
    const copy = Buffer.from(data);
    const seal = async () => (await (await this.submitToWorker(copy, metadata)).hashed).seal();
    return { hashed: Promise.resolve({ id, seal, drop: () => {} }) };
  }

  private async submitToWorker(data: Buffer, metadata: boolean): Promise<{ hashed: Promise<HashedChunk> }> {
    this.ensureStarted();
    let slot = this.leastLoaded();
    while (this.load[slot]! >= JOBS_PER_WORKER && !this.failure) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
      slot = this.leastLoaded();
    }
    if (this.failure) throw this.failure;
    const sequence = this.sequence++;
    this.load[slot]!++;
    const hashed = new Promise<HashedChunk>((onHashed, reject) => this.jobs.set(sequence, { slot, length: data.length, onHashed, reject }));
    this.queued[slot]! += data.length;
    const own = new Uint8Array(data.length);
    own.set(data);
    this.post(slot, { op: 'hash', sequence, data: own, metadata }, [own.buffer]);
    return { hashed };
  }

  openStream(): ChunkStream {
    this.ensureStarted();
    let slot = 0;
    for (let i = 1; i < this.threads; i++) if (this.streamLoad[i]! < this.streamLoad[slot]!) slot = i;
    this.streamLoad[slot]!++;
    const id = this.nextStream++;
    const state: StreamState = { slot, unsettled: 0, replies: [], waiting: [], ended: false };
    this.streams.set(id, state);
    const close = () => {
      if (state.ended) return;
      state.ended = true;
      this.streamLoad[slot]!--;
    };
    return {
      readBuffer: (size) => {
        const spare = this.spareReadBuffers.findIndex((buffer) => buffer.byteLength === size);
        if (spare < 0) return Buffer.allocUnsafeSlow(size);
        this.reusedReadBuffers++;
        return Buffer.from(this.spareReadBuffers.splice(spare, 1)[0]!);
      },
      push: async (data, atEnd) => {
        while (state.unsettled > STREAM_BUDGET_BYTES && !this.failure) await new Promise<void>((resolve) => state.waiting.push(resolve));
        if (this.failure) throw this.failure;
        state.unsettled += data.length;
        const chunks = new Promise<{ chunk: HashedChunk; length: number }[]>((resolve, reject) => state.replies.push({ length: data.length, resolve, reject }));
        this.queued[slot]! += data.length;
        // The reader gives up this buffer: it is moved whole, and the chunks cut from it are views of it.
        this.post(slot, { op: 'stream', stream: id, data, atEnd }, [data.buffer as ArrayBuffer]);
        if (atEnd) close();
        return { chunks };
      },
      abort: () => {
        if (state.ended) return;
        this.post(slot, { op: 'abort-stream', stream: id });
        close();
        this.streams.delete(id);
      },
    };
  }

  private keepSpare(buffer: ArrayBuffer): void {
    if (this.spareReadBuffers.length < MAX_SPARE_READ_BUFFERS) this.spareReadBuffers.push(buffer);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map(stopWorker));
  }

  private ensureStarted(): void {
    if (this.workers.length > 0) return;
    const { keys, compressionLevel, chunking } = this.options;
    this.workers = Array.from({ length: this.threads }, (_, index) => {
      const worker = startWorker(import.meta.url, 'seal-worker', { dataKey: keys.dataKey, idKey: keys.idKey, compressionLevel, chunking, index, workers: this.threads });
      worker.on('message', (reply: SealerReply | StreamReply | FreedPiece) => {
        if ('freed' in reply) this.keepSpare(reply.freed);
        else if ('stream' in reply) this.settleStream(reply);
        else this.settle(reply);
      });
      worker.on('error', (error) => this.failAll(error));
      return worker;
    });
    this.load = this.workers.map(() => 0);
    this.streamLoad = this.workers.map(() => 0);
    this.queued = this.workers.map(() => 0);
    this.sealedBy = this.workers.map(() => 0);
    this.connectPeers();
  }

  /** A channel between every two workers, so a chunk cut on one can be sealed on another without coming back here. */
  private connectPeers(): void {
    const ports: (MessagePort | null)[][] = this.workers.map(() => this.workers.map(() => null));
    for (let a = 0; a < this.threads; a++) {
      for (let b = a + 1; b < this.threads; b++) {
        const { port1, port2 } = new MessageChannel();
        ports[a]![b] = port1;
        ports[b]![a] = port2;
      }
    }
    ports.forEach((own, slot) => this.post(slot, { op: 'peers', ports: own }, own.filter((port) => port !== null)));
  }

  /**
   * Where a held chunk is sealed: on the worker holding it, unless another has less queued by more than the
   * chunk itself (what moving it costs is a copy; what it saves is a core left idle while one file's chunks
   * wait behind their cutting).
   */
  private sealTarget(holder: number, length: number): number {
    let best = holder;
    for (let slot = 0; slot < this.threads; slot++) if (this.queued[slot]! + length < this.queued[best]!) best = slot;
    return best;
  }

  private post(slot: number, request: SealerRequest, transfer: (ArrayBuffer | MessagePort)[] = []): void {
    this.workers[slot]!.postMessage(request, transfer);
  }

  private leastLoaded(): number {
    let best = 0;
    for (let i = 1; i < this.load.length; i++) if (this.load[i]! < this.load[best]!) best = i;
    return best;
  }

  private release(job: Job, sequence: number): void {
    this.jobs.delete(sequence);
    if (job.sealingOn !== undefined) this.queued[job.sealingOn]! -= job.length;
    if (job.stream) {
      job.stream.unsettled -= job.length;
      job.stream.waiting.shift()?.();
    } else {
      this.load[job.slot]!--;
      this.waiting.shift()?.();
    }
  }

  private hashedChunk(job: Job, sequence: number, id: Buffer): HashedChunk {
    return {
      id,
      seal: () =>
        new Promise<SealedChunk>((resolve, reject) => {
          job.onSealed = resolve;
          job.reject = reject;
          const on = this.sealTarget(job.slot, job.length);
          job.sealingOn = on;
          this.queued[on]! += job.length;
          this.post(job.slot, on === job.slot ? { op: 'seal', sequence } : { op: 'seal', sequence, on });
        }),
      drop: () => {
        this.release(job, sequence);
        this.post(job.slot, { op: 'drop', sequence });
      },
    };
  }

  private settle(reply: SealerReply): void {
    const job = this.jobs.get(reply.sequence);
    if (!job) return;
    if (reply.error !== undefined) {
      // A failed hash (the job was never sent to seal) is no longer queued either.
      if (job.sealingOn === undefined && !job.stream) this.queued[job.slot]! -= job.length;
      this.release(job, reply.sequence);
      job.reject(new Error(`sealing failed: ${reply.error}`));
    } else if (reply.id) {
      this.queued[job.slot]! -= job.length;
      job.onHashed?.(this.hashedChunk(job, reply.sequence, Buffer.from(reply.id.buffer, reply.id.byteOffset, reply.id.byteLength)));
    } else if (reply.stored) {
      this.sealedBy[job.sealingOn ?? job.slot]!++;
      this.release(job, reply.sequence);
      job.onSealed?.({ stored: Buffer.from(reply.stored.buffer, reply.stored.byteOffset, reply.stored.byteLength), flags: reply.flags ?? 0 });
    }
  }

  /** Replies to one stream come back in the order its pieces were sent. */
  private settleStream(reply: StreamReply): void {
    const state = this.streams.get(reply.stream);
    if (!state) {
      // An aborted file's chunks: nobody will ask for them.
      for (const { sequence } of reply.chunks) this.post(this.workerOfStreamChunk(sequence), { op: 'drop', sequence });
      return;
    }
    const waiter = state.replies.shift();
    if (waiter) this.queued[state.slot]! -= waiter.length;
    if (state.ended && state.replies.length === 0) this.streams.delete(reply.stream);
    if (reply.error !== undefined) {
      waiter?.reject(new Error(`chunking failed: ${reply.error}`));
      return;
    }
    const chunks = reply.chunks.map(({ sequence, id, length }) => {
      const job: Job = { slot: state.slot, stream: state, length, reject: () => {} };
      this.jobs.set(sequence, job);
      return { chunk: this.hashedChunk(job, sequence, Buffer.from(id.buffer, id.byteOffset, id.byteLength)), length };
    });
    waiter?.resolve(chunks);
  }

  private workerOfStreamChunk(sequence: number): number {
    return (sequence - STREAM_SEQUENCE_BASE) % this.threads;
  }

  private failAll(error: Error): void {
    this.failure ??= error;
    for (const job of this.jobs.values()) job.reject(error);
    this.jobs.clear();
    for (const state of this.streams.values()) {
      for (const waiter of state.replies.splice(0)) waiter.reject(error);
      for (const wake of state.waiting.splice(0)) wake();
    }
    for (const wake of this.waiting.splice(0)) wake();
  }
}
