import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../../scripts/stack/ports.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSecretToken } from '../../lib/common/secret-tokens.js';
import { generateKeyEntry } from '../../lib/common/secrets.js';
import { connectDatabase, type DatabaseHandle } from '../../lib/db/client.js';
import { jobs, recoveryPoints } from '../../lib/db/schema/index.js';
import { REPOSITORY_ROOT } from '../emulator/options.js';
import { eventually } from '../emulator/helpers/cluster.js';
import { createTestDatabase } from '../api/helpers/test-database.js';
import { stackEnv, uniqueName } from '../support/stack-env.js';

/**
 * Haven's four long-running processes started as their entrypoints (services/<name>/main.ts), each with
 * HAVEN_METRICS_LISTEN, and scraped over HTTP as Prometheus would: what `curl /metrics` shows.
 */

const children: ChildProcess[] = [];
const output = new Map<string, string>();
function start(name: string, env: Record<string, string>): void {
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPOSITORY_ROOT, `services/${name}/main.ts`)], {
    cwd: REPOSITORY_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  output.set(name, '');
  const keep = (chunk: Buffer) => output.set(name, (output.get(name) ?? '') + chunk.toString());
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  children.push(child);
}

async function scrape(port: number, what: string): Promise<string> {
  return eventually(async () => {
    const response = await fetch(`http://127.0.0.1:${port}/metrics`);
    return response.ok ? response.text() : undefined;
  }, `${what}'s /metrics`, 120_000).catch((error: Error) => {
    throw new Error(`${error.message}; its output: ${output.get(what)?.slice(-2000)}`);
  });
}

/** Filesystem targets are only recorded here, never written. */
const TARGETS_ROOT = '/srv/haven';
const ports = { api: 0, apiMetrics: 0, gateway: 0, gatewayMetrics: 0, workerMetrics: 0, agentMetrics: 0 };
const adminKey = generateSecretToken();
let database: { url: string; drop: () => Promise<void> };
let handle: DatabaseHandle;
let definitionId: string;
let neverSucceededId: string;

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`http://127.0.0.1:${ports.api}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${adminKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

beforeAll(async () => {
  database = await createTestDatabase();
  for (const key of Object.keys(ports) as (keyof typeof ports)[]) ports[key] = await freePort();
  const control = {
    DATABASE_URL: database.url,
    TEMPORAL_ADDRESS: stackEnv('TEMPORAL_ADDRESS'),
    HAVEN_SECRET_KEY: generateKeyEntry('m1'),
    HAVEN_PAYLOAD_KEY: generateKeyEntry('p1'),
    HAVEN_CONTROL_TASK_QUEUE: uniqueName('control-metrics'),
  };
  start('api', { ...control, PORT: String(ports.api), HAVEN_BOOTSTRAP_API_KEY: adminKey, HAVEN_EXPIRY_INTERVAL_MINUTES: '0', HAVEN_SWEEP_INTERVAL_MINUTES: '0', HAVEN_FILESYSTEM_TARGETS_ROOT: TARGETS_ROOT, HAVEN_METRICS_LISTEN: `127.0.0.1:${ports.apiMetrics}` });
  start('gateway', { ...control, HAVEN_GATEWAY_LISTEN: `127.0.0.1:${ports.gateway}`, HAVEN_METRICS_LISTEN: `127.0.0.1:${ports.gatewayMetrics}` });
  start('worker', { ...control, HAVEN_METRICS_LISTEN: `127.0.0.1:${ports.workerMetrics}` });
  await eventually(async () => (await fetch(`http://127.0.0.1:${ports.api}/healthz`)).ok, 'the API to answer', 120_000).catch((error: Error) => {
    throw new Error(`${error.message}; its output: ${output.get('api')}`);
  });

  // What the installation gauges report: an agent, a scheduled definition with a success, an overdue point.
  const cluster = await call<{ id: string }>('POST', '/clusters', { name: 'metrics-cluster' });
  const { agentToken } = await call<{ agentToken: string }>('POST', `/clusters/${cluster.id}/agent-token`, {});
  const policy = await call<{ id: string }>('POST', '/policies', { name: 'six-hourly', schedules: [{ cron: '0 */6 * * *', retentionDays: 7 }] });
  definitionId = (await call<{ id: string }>('POST', '/backup-definitions', { name: 'metrics-backup', clusterId: cluster.id, policyId: policy.id })).id;
  // Never succeeded, on a policy in a zone with daylight saving: its daily run is once 25 hours apart.
  const berlin = await call<{ id: string }>('POST', '/policies', { name: 'daily-berlin', timeZone: 'Europe/Berlin', schedules: [{ cron: '30 2 * * *', retentionDays: 7 }] });
  neverSucceededId = (await call<{ id: string }>('POST', '/backup-definitions', { name: 'metrics-never', clusterId: cluster.id, policyId: berlin.id })).id;
  const org = await call<{ id: string }>('GET', '/organization');
  const target = await call<{ id: string }>('POST', '/storage-targets', { kind: 'FILESYSTEM', name: 'points', path: `${TARGETS_ROOT}/${org.id}/points` });
  handle = connectDatabase(database.url);
  await handle.db.insert(jobs).values({ orgId: org.id, kind: 'BACKUP', definitionId, definitionName: 'metrics-backup', status: 'COMPLETED', workflowId: 'metrics-test', endedAt: new Date('2026-01-02T03:04:05Z') });
  await handle.db.insert(recoveryPoints).values({
    orgId: org.id,
    type: 'COPY',
    clusterName: 'metrics-cluster',
    definitionName: 'metrics-backup',
    storageTargetId: target.id,
    expiresAt: new Date(Date.now() - 3_600_000),
    contents: { namespaces: [], resourceCount: 0, persistentVolumes: [] },
  });
  start('agent', {
    HAVEN_CLUSTER_ID: cluster.id,
    HAVEN_AGENT_TOKEN: agentToken,
    HAVEN_GATEWAY_ADDRESS: `127.0.0.1:${ports.gateway}`,
    KUBECONFIG: stackEnv('KUBECONFIG'),
    HAVEN_METRICS_LISTEN: `127.0.0.1:${ports.agentMetrics}`,
  });
}, 300_000);

afterAll(async () => {
  for (const child of children.reverse()) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
  await handle?.close();
  await database?.drop();
});

describe('/metrics on each process', () => {
  it('the API serves installation gauges and its requests on its own listener, and 404 on its public port', async () => {
    expect((await fetch(`http://127.0.0.1:${ports.api}/metrics`)).status).toBe(404);
    const text = await eventually(async () => {
      const scraped = await scrape(ports.apiMetrics, 'api');
      return /^haven_cluster_agent_active\{.*\} 1$/m.test(scraped) ? scraped : undefined;
    }, 'the agent to show as active in the API\'s metrics', 150_000);
    expect(text).toMatch(new RegExp(`^haven_definition_last_success_timestamp_seconds\\{organization="[^"]+",definition="${definitionId}",name="metrics-backup",kind="BACKUP",process="api"\\} 1767323045$`, 'm'));
    expect(text).toMatch(new RegExp(`^haven_definition_schedule_interval_seconds\\{.*definition="${definitionId}".*\\} 21600$`, 'm'));
    expect(text).not.toMatch(new RegExp(`^haven_definition_last_success_timestamp_seconds\\{.*definition="${neverSucceededId}"`, 'm'));
    expect(text).toMatch(new RegExp(`^haven_definition_created_timestamp_seconds\\{.*definition="${neverSucceededId}".*\\} 1\\d{9}(\\.\\d+)?$`, 'm'));
    expect(text).toMatch(new RegExp(`^haven_definition_schedule_interval_seconds\\{.*definition="${neverSucceededId}".*\\} 90000$`, 'm'));
    expect(text).toMatch(/^haven_recovery_points_expiry_backlog\{process="api"\} 1$/m);
    expect(text).toMatch(/^haven_recovery_points_oldest_overdue_seconds\{process="api"\} (3[6-9]\d\d|[4-9]\d{3,})/m);
    expect(text).toMatch(/^haven_api_requests_total\{method="POST",route="\/api\/v1\/clusters",status="201",process="api"\} 1$/m);
    expect(text).toMatch(/^# TYPE haven_jobs_running gauge$/m);
  });

  it('the gateway counts the calls it relays', async () => {
    const text = await eventually(async () => {
      const scraped = await scrape(ports.gatewayMetrics, 'gateway');
      // The agent's start-up calls (not its polls, which answer only after a minute without work).
      return /^haven_gateway_calls_total\{method="\w+",code="OK",process="gateway"\} [1-9]\d*$/m.test(scraped) ? scraped : undefined;
    }, 'a relayed call in the gateway\'s metrics', 150_000);
    expect(text).toMatch(/^# TYPE haven_gateway_refusals_total counter$/m);
  });

  it('the worker serves job counters and the agent its activity counters', async () => {
    const worker = await scrape(ports.workerMetrics, 'worker');
    expect(worker).toMatch(/^# TYPE haven_jobs_finished_total counter$/m);
    expect(worker).toMatch(/^# TYPE haven_job_duration_seconds histogram$/m);
    expect(worker).toMatch(/^# TYPE haven_job_bytes_transferred_total counter$/m);
    expect(worker).toMatch(/^haven_process_resident_memory_bytes\{process="worker"\} \d+/m);
    const agent = await scrape(ports.agentMetrics, 'agent');
    expect(agent).toMatch(/^# TYPE haven_agent_activities_total counter$/m);
    expect(agent).toMatch(/^haven_process_resident_memory_bytes\{process="agent",cluster="[0-9a-f-]{36}"\} \d+/m);
  });
});
