import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPOSITORY_ROOT } from '../emulator/options.js';

/**
 * Each process started with one bad variable, as an operator would: it must exit 1 with one line on
 * stderr that names the variable, never a stack trace of the config reader.
 */
const goodKey = `k1:${Buffer.alloc(32, 1).toString('base64')}`;
const shortKey = `k1:${Buffer.alloc(5, 1).toString('base64')}`;
const base = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', TEMPORAL_ADDRESS: '127.0.0.1:1' };

const cases: { service: string; entry: string; env: Record<string, string>; args?: string[]; variable: string }[] = [
  { service: 'api', entry: 'services/api/main.ts', env: { ...base, HAVEN_SECRET_KEY: shortKey }, variable: 'HAVEN_SECRET_KEY' },
  { service: 'api', entry: 'services/api/main.ts', env: { ...base, HAVEN_SECRET_KEY: goodKey, HAVEN_PAYLOAD_KEY: goodKey, HAVEN_STORAGE_PRIVATE_NETWORKS: '10.0.0.0/99' }, variable: 'HAVEN_STORAGE_PRIVATE_NETWORKS' },
  { service: 'worker', entry: 'services/worker/main.ts', env: { ...base, HAVEN_SECRET_KEY: goodKey, HAVEN_PAYLOAD_KEY: 'no-key-id' }, variable: 'HAVEN_PAYLOAD_KEY' },
  { service: 'gateway', entry: 'services/gateway/main.ts', env: { ...base, HAVEN_PAYLOAD_KEY: goodKey, HAVEN_GATEWAY_TLS_CERT: '/nonexistent/cert.pem', HAVEN_GATEWAY_TLS_KEY: '/nonexistent/key.pem' }, variable: 'HAVEN_GATEWAY_TLS_CERT' },
  { service: 'worker', entry: 'services/worker/main.ts', env: { ...base, HAVEN_SECRET_KEY: goodKey, HAVEN_PAYLOAD_KEY: goodKey, HAVEN_METRICS_LISTEN: 'no-port' }, variable: 'HAVEN_METRICS_LISTEN' },
  { service: 'api', entry: 'services/api/main.ts', env: { ...base, HAVEN_SECRET_KEY: goodKey, HAVEN_PAYLOAD_KEY: goodKey, HAVEN_NOTIFICATION_PRIVATE_NETWORKS: '10.0.0.0/99' }, variable: 'HAVEN_NOTIFICATION_PRIVATE_NETWORKS' },
  { service: 'agent', entry: 'services/agent/main.ts', env: { ...base, HAVEN_CLUSTER_ID: '00000000-0000-4000-8000-000000000000', HAVEN_AGENT_TOKEN: 't', HAVEN_GATEWAY_ADDRESS: '127.0.0.1:1', KUBECONFIG: '/nonexistent/kubeconfig' }, variable: 'KUBECONFIG' },
  { service: 'mover', entry: 'services/mover/main.ts', env: { ...base, HAVEN_GATEWAY_ADDRESS: '127.0.0.1:1', HAVEN_MOVER_TOKEN: 't', HAVEN_MOVER_DATA: '/tmp' }, args: ['--memory-limit-mb', '256'], variable: 'HAVEN_MOVER_TASK_QUEUE' },
];

function start(entry: string, env: Record<string, string>, args: string[] = []): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPOSITORY_ROOT, entry), ...args], { env, cwd: REPOSITORY_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolveRun({ code, stderr }));
  });
}

describe('configuration errors', () => {
  it.concurrent.each(cases)('$service with a bad $variable says so in one line and exits 1', async ({ service, entry, env, args, variable }) => {
    const { code, stderr } = await start(entry, env, args);
    expect(code).toBe(1);
    const lines = stderr.trimEnd().split('\n');
    expect(lines, stderr).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^haven ${service}: .*${variable}`));
    expect(stderr).not.toMatch(/\n\s+at |Error:/);
  });
});
