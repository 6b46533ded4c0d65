import { ChunkVerificationError } from '../errors.js';
import type { StoredChunk } from './chunk-opening.js';

/** Messages between RestoreWriters (main thread) and restore-writer-worker. */

export interface FileAttributes {
  mode: number;
  uid: number;
  gid: number;
  mtimeNs: string;
}

/** One small file: `size` bytes at `offset` of one of the job's bundles. */
export interface SmallFile {
  path: string;
  /** Its path in the volume, for messages. */
  manifestPath: string;
  bundle: number;
  offset: number;
  size: number;
  attributes: FileAttributes;
}

/** A bundle chunk as stored (sealed): the thread opens and verifies it. */
export interface StoredBundle {
  chunk: StoredChunk;
  stored: Uint8Array;
}

export interface SmallFilesJob {
  op: 'small-files';
  files: SmallFile[];
  bundles: StoredBundle[];
  /** The target held entries before this restore: whatever is at a path is unlinked first, never followed. */
  replace: boolean;
  restoreOwners: boolean;
}

/** A chunk inside a run's stored bytes, and where its plaintext goes in the file. */
export interface RunChunk extends StoredChunk {
  storedStart: number;
  storedLength: number;
  position: number;
}

/**
 * Chunks stored back to back, opened, verified and written at their positions through an fd the main thread
 * opened. The stored bytes sit in a slot of the shared run memory, or (a run too big for a slot) travel along.
 */
export interface ChunkRunJob {
  op: 'chunk-run';
  fd: number;
  path: string;
  stored: { slot: number; length: number } | Uint8Array;
  chunks: RunChunk[];
}

export type WriterJob = SmallFilesJob | ChunkRunJob;

export interface WriterRequest {
  sequence: number;
  job: WriterJob;
}

/** Enough of an error to rebuild it on the main thread with its type and fields. */
interface WireError {
  name: string;
  message: string;
  code?: string;
  path?: string;
  chunkId?: string;
  objectKey?: string;
  reason?: string;
}

export type WriterReply = { sequence: number; error?: WireError };

export interface WriterWorkerData {
  dataKey: Uint8Array;
  idKey: Uint8Array;
  runMemory: SharedArrayBuffer;
  slotBytes: number;
}

export function toWireError(error: unknown): WireError {
  const failure = error as Partial<WireError> & Error;
  return {
    name: failure.name ?? 'Error',
    message: failure.message ?? String(error),
    ...(typeof failure.code === 'string' ? { code: failure.code } : {}),
    ...(typeof failure.path === 'string' ? { path: failure.path } : {}),
    ...(typeof failure.chunkId === 'string' ? { chunkId: failure.chunkId, objectKey: failure.objectKey, reason: failure.reason } : {}),
  };
}

/** The main thread's copy of a writer's error, with its type (verification failures) or errno code kept. */
export function fromWireError(wire: WireError): Error {
  if (wire.name === 'ChunkVerificationError' && wire.chunkId !== undefined) {
    return new ChunkVerificationError(wire.chunkId, wire.objectKey ?? '', wire.path, wire.reason ?? wire.message);
  }
  const error = new Error(wire.message) as NodeJS.ErrnoException;
  error.name = wire.name;
  if (wire.code !== undefined) error.code = wire.code;
  if (wire.path !== undefined) error.path = wire.path;
  return error;
}
