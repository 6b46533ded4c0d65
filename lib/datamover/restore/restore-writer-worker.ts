import { parentPort, workerData } from 'node:worker_threads';
import { onWorkerMessages } from '../controls/start-worker.js';
import { writeChunkRun, writeSmallFiles } from './sync-writes.js';
import { toWireError, type WriterReply, type WriterRequest, type WriterWorkerData } from './writer-messages.js';

/** Worker side of RestoreWriters: opens, verifies and writes what the main thread fetched. */
const setup = workerData as WriterWorkerData;
const keys = { dataKey: Buffer.from(setup.dataKey), idKey: Buffer.from(setup.idKey) };
const runs = { memory: setup.runMemory, slotBytes: setup.slotBytes };

onWorkerMessages(({ sequence, job }: WriterRequest) => {
  const reply: WriterReply = { sequence };
  try {
    if (job.op === 'small-files') writeSmallFiles(keys, job);
    else writeChunkRun(keys, runs, job);
  } catch (error) {
    reply.error = toWireError(error);
  }
  parentPort!.postMessage(reply);
});
