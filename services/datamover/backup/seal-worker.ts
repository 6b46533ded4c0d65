import { parentPort, workerData } from 'node:worker_threads';
import { sealChunk } from '../crypto/chunk-sealing.js';

/** Worker side of WorkerSealer: compression and encryption off the thread that reads and chunks. */
interface Job {
  sequence: number;
  id: Uint8Array;
  data: Uint8Array;
  metadata: boolean;
}

const { dataKey, compressionLevel } = workerData as { dataKey: Uint8Array; compressionLevel: number };
const key = Buffer.from(dataKey);

parentPort!.on('message', (job: Job) => {
  try {
    const sealed = sealChunk(key, Buffer.from(job.id), Buffer.from(job.data.buffer, job.data.byteOffset, job.data.byteLength), compressionLevel, job.metadata);
    const stored = new Uint8Array(sealed.stored.buffer, sealed.stored.byteOffset, sealed.stored.byteLength);
    parentPort!.postMessage({ sequence: job.sequence, stored, flags: sealed.flags });
  } catch (error) {
    parentPort!.postMessage({ sequence: job.sequence, error: (error as Error).message });
  }
});
