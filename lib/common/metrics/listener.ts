import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/**
 * Each process serves its metrics on a listener of its own (HAVEN_METRICS_LISTEN), never on a port tenants
 * reach: installation metrics name every organization's definitions and clusters. The API's public port
 * answers 404 on /metrics.
 */
export const METRICS_PATH = '/metrics';

export interface MetricsListen {
  host: string;
  port: number;
}

/** `host:port` (`[::1]:9464` for IPv6); unset or empty turns the listener off. Throws naming the variable. */
export function readMetricsListen(env: NodeJS.ProcessEnv, name = 'HAVEN_METRICS_LISTEN'): MetricsListen | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(raw);
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535) throw new Error(`${name} "${raw}" is not host:port (e.g. 0.0.0.0:9464)`);
  return { host: (match[1] ?? match[2]) as string, port };
}

export interface MetricsListener {
  /** host:port actually bound (port 0 picks a free one). */
  address: string;
  close(): Promise<void>;
}

/** Serves `GET /metrics` in the Prometheus text format; anything else is 404. */
export async function startMetricsListener(registry: Registry, listen: MetricsListen): Promise<MetricsListener> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (request.method !== 'GET' || path !== METRICS_PATH) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`collecting metrics failed: ${(error as Error).message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  const bound = server.address() as AddressInfo;
  const host = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
  return {
    address: `${host}:${bound.port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** HAVEN_METRICS_LISTEN as a config field, with the process's own configuration error. */
export function metricsListenSetting(env: NodeJS.ProcessEnv, configError: (message: string) => Error): { metricsListen?: MetricsListen } {
  let listen: MetricsListen | undefined;
  try {
    listen = readMetricsListen(env);
  } catch (error) {
    throw configError((error as Error).message);
  }
  return listen ? { metricsListen: listen } : {};
}
