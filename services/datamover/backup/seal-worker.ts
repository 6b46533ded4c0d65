import { parentPort, workerData } from 'node:worker_threads';
import { sealChunk } from '../crypto/chunk-sealing.js';
import { chunkId } from '../crypto/repository-keys.js';
import type { SealerReply, SealerRequest } from './sealer-messages.js';

/**
 * Worker side of WorkerSealer: keyed hashing, compression and encryption off the thread that reads and
 * chunks. A chunk's bytes stay here between `hash` and the main thread's verdict (`seal` or `drop`).
 */
const { dataKey, idKey, compressionLevel } = workerData as { dataKey: Uint8Array; idKey: Uint8Array; compressionLevel: number };
const keys = { data: Buffer.from(dataKey), id: Buffer.from(idKey) };
const held = new Map<number, { id: Buffer; data: Buffer; metadata: boolean }>();

function reply(message: SealerReply, transfer: ArrayBuffer[] = []): void {
  parentPort!.postMessage(message, transfer);
}

/** A buffer that owns its whole ArrayBuffer can be moved; one from Node's small-buffer pool must be copied out. */
function movable(buffer: Buffer): Uint8Array {
  if (buffer.byteOffset === 0 && buffer.byteLength === buffer.buffer.byteLength) return buffer;
  return new Uint8Array(buffer);
}

parentPort!.on('message', (request: SealerRequest) => {
  try {
    if (request.op === 'hash') {
      const data = Buffer.from(request.data.buffer, request.data.byteOffset, request.data.byteLength);
      const id = chunkId(keys.id, data);
      held.set(request.sequence, { id, data, metadata: request.metadata });
      reply({ sequence: request.sequence, id: new Uint8Array(id) });
      return;
    }
    const chunk = held.get(request.sequence);
    held.delete(request.sequence);
    if (request.op === 'drop' || !chunk) return;
    const sealed = sealChunk(keys.data, chunk.id, chunk.data, compressionLevel, chunk.metadata);
    const stored = movable(sealed.stored);
    reply({ sequence: request.sequence, stored, flags: sealed.flags }, [stored.buffer as ArrayBuffer]);
  } catch (error) {
    reply({ sequence: request.sequence, error: (error as Error).message });
  }
});
