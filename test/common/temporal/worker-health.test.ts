import { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from 'node:http';
import { readWorkerHealthPort, serveWorkerHealth } from '../../../lib/common/temporal/worker-health.js';
import { stackEnv, uniqueName } from '../../support/stack-env.js';

/**
 * /healthz of the control worker and the agent, against a real Temporal worker on the stack's server: the
 * probes must see 503 before it polls and after it stopped, or a pod would be Ready with nothing polling.
 */
describe('worker /healthz', () => {
  let connection: NativeConnection;
  let worker: Worker;
  let server: Server;
  let base: string;
  const health = async (path = '/healthz') => {
    const response = await fetch(`${base}${path}`);
    return [response.status, response.status === 404 ? undefined : await response.json()];
  };

  beforeAll(async () => {
    connection = await NativeConnection.connect({ address: stackEnv('TEMPORAL_ADDRESS') });
    worker = await Worker.create({ connection, namespace: process.env.TEMPORAL_NAMESPACE ?? 'default', taskQueue: uniqueName('health'), activities: { noop: async () => undefined } });
    server = await serveWorkerHealth(worker, 0, '127.0.0.1');
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('no port');
    base = `http://127.0.0.1:${address.port}`;
  });

  afterAll(async () => {
    server?.close();
    if (worker && worker.getState() !== 'STOPPED') worker.shutdown();
    await connection?.close();
  });

  it('is 503 until the worker runs, 200 while it polls, 503 once it stopped; other paths are 404', async () => {
    expect(await health()).toEqual([503, { state: 'INITIALIZED' }]);
    const running = worker.run();
    await expect.poll(() => worker.getState()).toBe('RUNNING');
    expect(await health()).toEqual([200, { state: 'RUNNING' }]);
    expect(await health('/metrics')).toEqual([404, undefined]);
    worker.shutdown();
    await running;
    expect(await health()).toEqual([503, { state: 'STOPPED' }]);
  });
});

describe('HAVEN_WORKER_HEALTH_PORT', () => {
  const read = (value?: string) => readWorkerHealthPort(value === undefined ? {} : { HAVEN_WORKER_HEALTH_PORT: value }, (message) => new Error(message));

  it('is optional, a port when set, and refused by name otherwise', () => {
    expect(read()).toBeUndefined();
    expect(read(' ')).toBeUndefined();
    expect(read('8081')).toBe(8081);
    for (const bad of ['0', '65536', '80a', '-1', '1.5']) expect(() => read(bad)).toThrow(`HAVEN_WORKER_HEALTH_PORT "${bad}" is not a port (1-65535)`);
  });
});
