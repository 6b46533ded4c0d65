import { join } from 'node:path';
import type { Component } from '../component.js';
import { logDir } from '../paths.js';
import { isRunning, startDaemon, stopGroup, waitUntil } from '../processes.js';
import { reusablePort } from '../ports.js';
import { pythonVenv } from '../toolchain.js';

const version = '5.2.5';
const logFile = join(logDir, 'moto.log');
let binDir = '';

async function answers(endpoint: string): Promise<boolean> {
  const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(2000) });
  return response.ok;
}

/** moto's server emulates the AWS RDS API (instances, snapshots, cross-region copies), STS and IAM (cloud accounts' checks) on loopback. */
export const moto: Component = {
  name: 'moto',

  async install() {
    binDir = await pythonVenv('moto', `moto-${version}`, [`moto[server]==${version}`], 'moto_server');
  },

  async start(previous) {
    const port = await reusablePort(previous?.ports.moto);
    const pid = startDaemon({ component: 'moto', command: join(binDir, 'moto_server'), args: ['-H', '127.0.0.1', '-p', String(port)], logFile });
    const endpoint = `http://127.0.0.1:${port}`;
    await waitUntil('moto', 'answering', () => answers(endpoint), { timeoutMs: 60_000, logFile, alive: () => isRunning(pid, 'moto_server') });
    return {
      pids: [pid],
      programHint: 'moto_server',
      ports: { moto: port },
      // One moto server answers every service; the SDK reads each service's endpoint from its own variable.
      env: {
        AWS_ENDPOINT_URL_RDS: endpoint,
        AWS_ENDPOINT_URL_STS: endpoint,
        AWS_ENDPOINT_URL_IAM: endpoint,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
      },
    };
  },

  async healthy(state) {
    const endpoint = state.env.AWS_ENDPOINT_URL_RDS;
    return endpoint !== undefined && state.pids.every((p) => isRunning(p, state.programHint)) && answers(endpoint).catch(() => false);
  },

  async stop(state) {
    for (const pid of state.pids) await stopGroup(pid);
  },
};
