import { createServer, type Server } from 'node:http';

/**
 * The port of a Temporal worker process's /healthz (the charts' probes): the control worker's and each
 * cluster's agent's. Unset, the process listens on nothing.
 */
export const WORKER_HEALTH_PORT_ENV = 'HAVEN_WORKER_HEALTH_PORT';

/** What /healthz reads: a Temporal worker's state (`Worker.getState()`), RUNNING once it polls. */
export interface WorkerStateSource {
  getState(): string;
}

/** Reads HAVEN_WORKER_HEALTH_PORT; `fail` builds the process's own configuration error. */
export function readWorkerHealthPort(env: NodeJS.ProcessEnv, fail: (message: string) => Error): number | undefined {
  const value = env[WORKER_HEALTH_PORT_ENV]?.trim();
  if (!value) return undefined;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65_535) throw fail(`${WORKER_HEALTH_PORT_ENV} "${value}" is not a port (1-65535)`);
  return port;
}

/**
 * GET /healthz: 200 while the Temporal worker is RUNNING (created, so its workflows or activities are
 * loaded and it polls), 503 otherwise (not yet running, draining, stopped, failed — a worker whose
 * connection gave up is FAILED, so the liveness probe restarts its pod). A pod is Ready only once the
 * worker polls, not when the process merely started. Every other path is 404.
 */
export async function serveWorkerHealth(worker: WorkerStateSource, port: number, host = '0.0.0.0'): Promise<Server> {
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
