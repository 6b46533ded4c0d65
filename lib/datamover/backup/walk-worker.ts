import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { onWorkerMessages } from '../controls/start-worker.js';
import { WalkBatchEncoder } from './walk-batches.js';
import { walkTree } from './tree-walker.js';
import type { WalkReply, WalkWorkerData } from './walk-thread.js';

/** Worker side of WalkThread: walks the tree and sends batches, at most `aheadBatches` beyond the last acknowledged. */
const { root, startAfter, batchEntries, aheadBatches } = workerData as WalkWorkerData;
let sent = 0;
let acknowledged = 0;
let wake: (() => void) | undefined;

/**
 * The walk runs well ahead of the backup, so it yields the cores to what the backup waits on at start-up
 * (key derivation, loading the index) by lowering this thread's priority. Linux only (a thread's id is in
 * /proc/thread-self; setpriority takes it); elsewhere it keeps the process's.
 */
try {
  setPriority(Number(readlinkSync('/proc/thread-self').split('/').at(-1)), 10);
} catch {
  // No /proc, or not allowed: the walk just competes on equal terms.
}

onWorkerMessages((consumed: number) => {
  acknowledged = consumed;
  wake?.();
});

function reply(message: WalkReply, transfer: ArrayBuffer[] = []): void {
  parentPort!.postMessage(message, transfer);
}

try {
  const encoder = new WalkBatchEncoder(batchEntries);
  const send = async () => {
    const batch = encoder.take();
    reply({ batch }, [batch.numbers.buffer as ArrayBuffer]);
    sent++;
    while (sent - acknowledged >= aheadBatches) await new Promise<void>((resolve) => (wake = resolve));
  };
  for (const item of walkTree(root, startAfter)) {
    encoder.add(item);
    if (encoder.size === batchEntries) await send();
  }
  if (encoder.size > 0) await send();
  reply({ done: true });
} catch (error) {
  const { message, code, errno, syscall, path } = error as NodeJS.ErrnoException;
  reply({ error: { message: message ?? String(error), code, errno, syscall, path } });
}
