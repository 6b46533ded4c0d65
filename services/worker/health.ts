import { createServer, type Server } from 'node:http';
import type { Worker } from '@temporalio/worker';

/** The port of the worker's /healthz (the chart's readiness probe); unset, the worker listens on nothing. */
export const WORKER_HEALTH_PORT_ENV = 'HAVEN_WORKER_HEALTH_PORT';

export class WorkerHealthConfigError extends Error {
  override name = 'WorkerHealthConfigError';
}

export function readWorkerHealthPort(env: NodeJS.ProcessEnv): number | undefined {
  const value = env[WORKER_HEALTH_PORT_ENV]?.trim();
  if (!value) return undefined;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65_535) throw new WorkerHealthConfigError(`${WORKER_HEALTH_PORT_ENV} "${value}" is not a port (1-65535)`);
  return port;
}

/**
 * GET /healthz: 200 while the Temporal worker is RUNNING (created, so its workflows are loaded and it
 * polls), 503 otherwise (stopping, failed). A pod is Ready only once the worker polls, not when the
 * process merely started. Every other path is 404.
 */
export async function serveWorkerHealth(worker: Pick<Worker, 'getState'>, port: number, host = '0.0.0.0'): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url !== '/healthz') {
      response.writeHead(404).end();
      return;
    }
    const state = worker.getState();
    response.writeHead(state === 'RUNNING' ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ state }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
