import { randomUUID } from 'node:crypto';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { KubeConfig } from '@kubernetes/client-node';
import { Client, Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import pg from 'pg';
import { mapConcurrent } from '../../lib/common/map-concurrent.js';
import { KubeRestClient } from '../../lib/kube/rest-client.js';
import { up } from '../../scripts/stack/stack.js';
import { residentMiB, startHaven } from './haven.js';
import { numberFlag } from '../flags.js';

/**
 * `--runs` backup runs started at once on one control worker, as a busy installation's schedules start
 * them: the API, the worker, the gateway and an agent as separate processes on the stack (real Temporal,
 * the stack's kube-apiserver and S3 server), one backup definition per small namespace (ConfigMaps and
 * Secrets, no volumes). Reported: how many completed and in how long, each process's peak RSS, and the
 * Temporal history of each run (events and bytes, max and mean).
 *
 *   npm run bench -- workflows [--runs 100] [--objects 10]
 */
/** How long the runs may take before the bench gives up on the stragglers and reports them. */
const RUNS_TIMEOUT_MS = 20 * 60_000;
const POLL_MS = 2_000;
/** Setup requests in flight (namespaces, definitions): not what is measured. */
const SETUP_CONCURRENCY = 16;

interface JobRow {
  id: string;
  status: string;
  message: string | null;
  workflow_id: string;
}

async function seedNamespace(kube: KubeRestClient, namespace: string, objects: number): Promise<void> {
  await kube.post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: { 'bench.haven.io/workflows': 'true' } } });
  for (let i = 0; i < objects; i++) {
    const kind = i % 2 === 0 ? 'configmaps' : 'secrets';
    const body = kind === 'configmaps' ? { kind: 'ConfigMap', data: { key: `value-${i}` } } : { kind: 'Secret', stringData: { password: randomUUID() } };
    await kube.post(`/api/v1/namespaces/${namespace}/${kind}`, { apiVersion: 'v1', metadata: { name: `object-${i}` }, ...body });
  }
}

const stats = (values: number[]) => ({ max: Math.max(...values), mean: values.reduce((a, b) => a + b, 0) / Math.max(1, values.length) });

export async function main(args: string[]): Promise<void> {
  const runs = numberFlag(args, 'runs', 100);
  const objects = numberFlag(args, 'objects', 10);
  const stack = process.env.TEMPORAL_ADDRESS && process.env.KUBECONFIG ? (process.env as Record<string, string>) : await up(1);
  const run = randomUUID().slice(0, 8);
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(stack.KUBECONFIG!);
  const kube = new KubeRestClient(kubeConfig);
  const namespaces = Array.from({ length: runs }, (_, i) => `bench-wf-${run}-${i}`);
  const haven = await startHaven(stack, join(tmpdir(), `haven-bench-workflows-${run}`), run);
  const connection = await Connection.connect({ address: stack.TEMPORAL_ADDRESS! });
  try {
    await mapConcurrent(namespaces, SETUP_CONCURRENCY, (namespace) => seedNamespace(kube, namespace, objects));
    const definitions = await mapConcurrent(namespaces, SETUP_CONCURRENCY, (namespace) =>
      haven.api.post<{ id: string }>('/backup-definitions', {
        name: namespace,
        clusterId: haven.clusterId,
        selection: { scope: 'SELECTED_NAMESPACES', namespaces: [namespace] },
        persistentVolumes: { mode: 'BACKUP_TO_OBJECT_STORAGE', snapshotBeforeBackup: false },
      }),
    );
    const worker = haven.processes.get('worker')!.child.pid!;
    const rssBefore = residentMiB(worker).now;

    const started = performance.now();
    await Promise.all(definitions.map((d) => haven.api.post(`/backup-definitions/${d.id}/actions/run`, { retentionDays: 1 })));
    const startedAll = (performance.now() - started) / 1000;
    const database = new pg.Client({ connectionString: haven.databaseUrl });
    await database.connect();
    let jobs: JobRow[] = [];
    try {
      const deadline = Date.now() + RUNS_TIMEOUT_MS;
      for (;;) {
        jobs = (await database.query<JobRow>('select id, status, message, workflow_id from jobs')).rows;
        const running = jobs.filter((j) => j.status === 'RUNNING' || j.status === 'PENDING').length;
        if ((jobs.length >= runs && running === 0) || Date.now() > deadline) break;
        await sleep(POLL_MS);
      }
    } finally {
      await database.end();
    }
    const seconds = (performance.now() - started) / 1000;
    const rss = Object.fromEntries(['api', 'worker', 'gateway', 'agent'].map((name) => [name, residentMiB(haven.processes.get(name)!.child.pid!)]));

    const client = new Client({ connection, namespace: stack.TEMPORAL_NAMESPACE || 'default' });
    const histories = await mapConcurrent(jobs, SETUP_CONCURRENCY, async (job) => {
      const history = await client.workflow.getHandle(job.workflow_id).fetchHistory();
      return { events: history.events?.length ?? 0, bytes: proto.temporal.api.history.v1.History.encode(history).finish().length };
    });
    const byStatus = new Map<string, number>();
    for (const job of jobs) byStatus.set(job.status, (byStatus.get(job.status) ?? 0) + 1);
    const events = stats(histories.map((h) => h.events));
    const bytes = stats(histories.map((h) => h.bytes));

    console.log(`\nConcurrent backup workflows: ${runs} runs of one namespace each (${objects} ConfigMaps and Secrets), one control worker; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    console.log(`all ${runs} started in ${startedAll.toFixed(1)} s; ended after ${seconds.toFixed(1)} s: ${[...byStatus].map(([s, n]) => `${n} ${s}`).join(', ')}`);
    for (const job of jobs.filter((j) => j.status !== 'COMPLETED').slice(0, 5)) console.log(`  ${job.status}: ${job.message}`);
    console.log('| process | peak RSS MiB | RSS at the end MiB |\n|---|---|---|');
    for (const [name, value] of Object.entries(rss)) console.log(`| ${name}${name === 'worker' ? ` (before the runs ${rssBefore.toFixed(0)})` : ''} | ${value.peak.toFixed(0)} | ${value.now.toFixed(0)} |`);
    console.log('| Temporal history per run | max | mean |\n|---|---|---|');
    console.log(`| events | ${events.max} | ${events.mean.toFixed(1)} |`);
    console.log(`| bytes | ${bytes.max} | ${bytes.mean.toFixed(0)} |`);
  } finally {
    await connection.close();
    await haven.close();
    await mapConcurrent(namespaces, SETUP_CONCURRENCY, (namespace) => kube.delete(`/api/v1/namespaces/${namespace}`));
    kube.close();
  }
}
