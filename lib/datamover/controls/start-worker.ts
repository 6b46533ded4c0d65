import { Worker } from 'node:worker_threads';

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
