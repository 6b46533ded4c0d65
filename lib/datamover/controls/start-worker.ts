import { parentPort, Worker } from 'node:worker_threads';

/**
 * Starts `<name>.js` (or `.ts`) beside the calling module. Run from TypeScript sources (tsx), a worker does
 * not inherit the loader: it registers tsx itself before importing the worker module. Built JavaScript (the
 * bundled CLI, where every worker entry lands next to cli.js) starts the module directly.
 */
export function startWorker(callerUrl: string, name: string, workerData: unknown): Worker {
  if (!callerUrl.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, callerUrl), { workerData });
  const script = new URL(`./${name}.ts`, callerUrl).href;
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then(({ register }) => { register(); return import(${JSON.stringify(script)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}

/** A buffer that owns its whole ArrayBuffer can be moved to a worker; one from Node's small-buffer pool must be copied out. */
export function movable(buffer: Uint8Array): Uint8Array {
  if (buffer.byteOffset === 0 && buffer.byteLength === buffer.buffer.byteLength) return buffer;
  return new Uint8Array(buffer);
}

/** Asks a worker to stop: it closes its port and ends once the message it is handling is done. */
const STOP_WORKER = 'haven:stop-worker';
/** A worker that does not end this long after being asked is stuck: only then is it terminated. */
const STOP_GRACE_MS = 30_000;

/**
 * Ends a worker by asking it to stop, not by terminate(): terminating a thread that is still loading its
 * modules (tsx, the zstd addon) can bring the whole process down, and under load a worker that got no
 * work was often still loading when the run ended.
 */
export async function stopWorker(worker: Worker): Promise<void> {
  if (worker.threadId < 0) return;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.postMessage(STOP_WORKER);
  const stuck = setTimeout(() => void worker.terminate(), STOP_GRACE_MS);
  stuck.unref();
  await exited;
  clearTimeout(stuck);
}

/** Worker side: hands each message to `handle` until the thread is asked to stop (stopWorker). */
export function onWorkerMessages<T>(handle: (message: T) => void): void {
  parentPort!.on('message', (message: T | typeof STOP_WORKER) => {
    if (message === STOP_WORKER) parentPort!.close();
    else handle(message);
  });
}
