import { parentPort, workerData } from 'node:worker_threads';
import { encodeWalkBatch, walkInBatches } from './walk-batches.js';
import type { WalkReply, WalkWorkerData } from './walk-thread.js';

/** Worker side of WalkThread: walks the tree and sends batches, at most `aheadBatches` beyond the last acknowledged. */
const { root, startAfter, batchEntries, aheadBatches } = workerData as WalkWorkerData;
let sent = 0;
let acknowledged = 0;
let wake: (() => void) | undefined;

parentPort!.on('message', (consumed: number) => {
  acknowledged = consumed;
  wake?.();
});

function reply(message: WalkReply, transfer: ArrayBuffer[] = []): void {
  parentPort!.postMessage(message, transfer);
}

try {
  for (const batch of walkInBatches(root, startAfter, batchEntries)) {
    const encoded = encodeWalkBatch(batch);
    reply({ batch: encoded }, [encoded.numbers.buffer as ArrayBuffer]);
    sent++;
    while (sent - acknowledged >= aheadBatches) await new Promise<void>((resolve) => (wake = resolve));
  }
  reply({ done: true });
} catch (error) {
  const { message, code, errno, syscall, path } = error as NodeJS.ErrnoException;
  reply({ error: { message: message ?? String(error), code, errno, syscall, path } });
}
