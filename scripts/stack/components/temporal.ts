import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Component } from '../component.js';
import { logDir, runDir } from '../paths.js';
import { isRunning, run, startDaemon, stopGroup, waitUntil } from '../processes.js';
import { reusablePort } from '../ports.js';
import { goInstall, goInstalled } from '../toolchain.js';

// v1.5.1 is the newest CLI tag whose go.mod has no local replace, so the newest `go install` can build.
const version = 'v1.5.1';
const logFile = join(logDir, 'temporal.log');
let binary = '';

/** The Temporal CLI the stack builds into the cache, if it was built: workflow tests run its dev server. */
export function cachedTemporalCli(): { path: string; built: boolean } {
  return goInstalled('temporal-cli', version, 'temporal');
}

/**
 * Search attributes Haven sets on every run so a user can filter runs by cluster, definition and kind
 * in the Temporal UI. The dev server registers them at start.
 */
export const havenSearchAttributes = ['HavenClusterId', 'HavenDefinitionId', 'HavenKind'] as const;

async function serving(address: string): Promise<boolean> {
  const health = await run(binary, ['operator', 'cluster', 'health', '--address', address]);
  return health.code === 0 && health.stdout.includes('SERVING');
}

export const temporal: Component = {
  name: 'temporal',

  async install() {
    binary = await goInstall('temporal', 'temporal-cli', 'github.com/temporalio/cli/cmd/temporal', version, 'temporal');
  },

  async start(previous) {
    const port = await reusablePort(previous?.ports.grpc);
    const uiPort = await reusablePort(previous?.ports.ui);
    const dataDir = join(runDir, 'temporal');
    mkdirSync(dataDir, { recursive: true });
    // The SQLite file makes the server durable: a restart of the server keeps running workflows.
    const args = [
      'server', 'start-dev',
      '--ip', '127.0.0.1', '--port', String(port), '--ui-port', String(uiPort),
      '--db-filename', join(dataDir, 'temporal.db'),
      '--namespace', 'default',
      '--log-level', 'warn',
      // WAL and a busy timeout keep SQLite from answering SQLITE_BUSY when workers poll concurrently.
      '--sqlite-pragma', 'journal_mode=WAL',
      '--sqlite-pragma', 'busy_timeout=10000',
      '--dynamic-config-value', 'frontend.enableUpdateWorkflowExecution=true',
      '--dynamic-config-value', 'frontend.workerHeartbeatsEnabled=true',
      ...havenSearchAttributes.flatMap((name) => ['--search-attribute', `${name}=Keyword`]),
    ];
    const pid = startDaemon({ component: 'temporal', command: binary, args, logFile });
    const address = `127.0.0.1:${port}`;
    await waitUntil('temporal', 'serving', () => serving(address), { timeoutMs: 60_000, logFile, alive: () => isRunning(pid, 'temporal') });
    return {
      pids: [pid],
      programHint: 'temporal',
      ports: { grpc: port, ui: uiPort },
      env: { TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: 'default', TEMPORAL_UI_URL: `http://127.0.0.1:${uiPort}`, TEMPORAL_CLI: binary },
    };
  },

  async healthy(state) {
    const address = state.env.TEMPORAL_ADDRESS;
    return address !== undefined && state.pids.every((p) => isRunning(p, state.programHint)) && serving(address);
  },

  async stop(state) {
    for (const pid of state.pids) await stopGroup(pid);
  },
};
