import type { MessagePort } from 'node:worker_threads';
import type { ChunkerParams } from '../../../proto/repository/index.js';

/** Messages between WorkerSealer (main thread) and seal-worker. */
export type SealerRequest =
  | { op: 'hash'; sequence: number; data: Uint8Array; metadata: boolean }
  /** Seal a held chunk: here, or (`on`, another worker's index) there, the bytes sent over their peer port. */
  | { op: 'seal'; sequence: number; on?: number }
  | { op: 'drop'; sequence: number }
  /** Once, before any chunk: a port to every other worker, by index (null at this worker's own). */
  | { op: 'peers'; ports: (MessagePort | null)[] }
  /** The next piece of a file, to be cut into chunks here; `atEnd` ends the stream. */
  | { op: 'stream'; stream: number; data: Uint8Array; atEnd: boolean }
  /** The file failed to read: forget its uncut bytes. */
  | { op: 'abort-stream'; stream: number };

/** A held chunk one worker hands another to seal; the answer goes to the main thread as a SealerReply. */
export interface PeerSealRequest {
  sequence: number;
  id: Uint8Array;
  data: Uint8Array;
  metadata: boolean;
}

export interface SealerReply {
  sequence: number;
  /** Answer to `hash`. */
  id?: Uint8Array;
  /** Answer to `seal`. */
  stored?: Uint8Array;
  flags?: number;
  error?: string;
}

/** Answer to `stream`: the chunks the piece completed, each held under its own sequence until its verdict. */
export interface StreamReply {
  stream: number;
  chunks: { sequence: number; id: Uint8Array; length: number }[];
  error?: string;
}

export interface SealWorkerData {
  dataKey: Uint8Array;
  idKey: Uint8Array;
  compressionLevel: number;
  /** For stream chunking: the data chunker's parameters and gear table. */
  chunking: { params: ChunkerParams; gear: Int32Array };
  /** Sequences this worker gives its stream chunks: STREAM_SEQUENCE_BASE + n × workers + index, never the main thread's. */
  index: number;
  workers: number;
}

export const STREAM_SEQUENCE_BASE = 2 ** 40;

/** A piece's whole buffer, which the worker no longer refers to: the main thread may read into it again. */
export interface FreedPiece {
  freed: ArrayBuffer;
}
