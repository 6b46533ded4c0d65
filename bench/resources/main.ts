import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { MockActivityEnvironment } from '@temporalio/testing';
import { clusterBackupActivities } from '../../activities/cluster/backup/export-to-repository.js';
import { exportResources } from '../../activities/cluster/export/export-resources.js';
import { clusterRestoreActivities } from '../../activities/cluster/restore/restore-from-repository.js';
import { KubeRestClient } from '../../lib/kube/rest-client.js';
import type { ExportResourcesRequest, RestoreResourcesRequest } from '../../proto/agent/index.js';
import { up } from '../../scripts/stack/stack.js';
import { countConfigMaps, removeNamespace, seedNamespace } from './config-maps.js';
import { cpuSeconds } from './cpu.js';
import { numberFlag } from '../flags.js';

/**
 * Kubernetes objects at scale through the agent's own activities: a namespace of `--count` ConfigMaps on
 * the stack's kube-apiserver is exported into a filesystem repository (`exportResourcesToRepository`:
 * list, stage, store), then restored into a renamed namespace (`restoreResourcesFromRepository`: fetch,
 * read, apply), then restored again onto itself (every object exists: the SKIP policy's path). Each
 * activity runs in Temporal's mock activity environment, so its heartbeats give the time of each phase.
 *
 *   npm run bench -- resources [--count 20000]
 */
interface Row {
  step: string;
  objects: number;
  seconds: number;
  /** Seconds of each phase the activity heartbeated, in order. */
  phases: [string, number][];
  /** CPU seconds of this process and of the cluster's processes during the step. */
  cpu: { bench: number; cluster: number };
}

/** Runs an activity, timing the phases its heartbeats name (`applying 10/20000` counts as `applying`). */
async function timed<A, R>(activity: (arg: A) => Promise<R>, arg: A): Promise<{ result: R; seconds: number; phases: [string, number][]; cpu: Row['cpu'] }> {
  const environment = new MockActivityEnvironment();
  const marks: [string, number][] = [];
  environment.on('heartbeat', (details: { phase?: string } | undefined) => {
    const phase = (details?.phase ?? '').split(' ')[0]!;
    if (marks.at(-1)?.[0] !== phase) marks.push([phase, performance.now()]);
  });
  const cpuBefore = cpuSeconds();
  const started = performance.now();
  const result = (await environment.run(activity, arg)) as R;
  const ended = performance.now();
  const phases = marks.map(([phase, at], i): [string, number] => [phase, ((marks[i + 1]?.[1] ?? ended) - at) / 1000]);
  return { result, seconds: (ended - started) / 1000, phases, cpu: cpuSince(cpuBefore) };
}

function cpuSince(before: Row['cpu']): Row['cpu'] {
  const now = cpuSeconds();
  return { bench: now.bench - before.bench, cluster: now.cluster - before.cluster };
}

export async function main(args: string[]): Promise<void> {
  const count = numberFlag(args, 'count', 20_000);
  const env = process.env.KUBECONFIG ? (process.env as Record<string, string>) : await up(1);
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(env.KUBECONFIG!);
  const kube = new KubeRestClient(kubeConfig);
  const run = randomUUID().slice(0, 8);
  const source = `bench-res-${run}`;
  const target = `bench-res-${run}-restored`;
  const work = await mkdtemp(join(tmpdir(), 'haven-bench-resources-'));
  const repository = { storageTargetId: 'bench', location: join(work, 'repository'), secret: randomUUID() };
  const rows: Row[] = [];
  try {
    const seedStarted = performance.now();
    await seedNamespace(kube, source, count);
    console.log(`seeded ${count} ConfigMaps in ${source} in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);

    const selection = { scope: 'SELECTED_NAMESPACES' as const, namespaces: [source], excludedNamespaces: [], resourceTypes: [], labels: { requirements: [] } };
    const listStarted = performance.now();
    const listCpu = cpuSeconds();
    const listed = await exportResources(kube, selection);
    rows.push({ step: 'list only (exportResources)', objects: listed.length, seconds: (performance.now() - listStarted) / 1000, phases: [], cpu: cpuSince(listCpu) });

    const backup = clusterBackupActivities({ kube, scratchDirectory: work });
    const exportRequest: ExportResourcesRequest = { version: 1, jobId: `bench-${run}`, clusterId: 'bench', definitionId: 'bench', selection, repository };
    const exported = await timed(backup.exportResourcesToRepository, exportRequest);
    rows.push({ step: 'export to repository', objects: exported.result.resourceCount, ...exported });

    const restore = clusterRestoreActivities({ kube, scratchDirectory: work });
    const restoreRequest = (mapping: Record<string, string>): RestoreResourcesRequest => ({
      version: 2,
      jobId: `bench-${run}`,
      clusterId: 'bench',
      snapshotId: exported.result.snapshotId,
      repository,
      selection: { namespaces: [], resourceTypes: [], labels: '', resources: [], volumes: [] },
      transforms: { namespacePrefix: '', namespaceSuffix: '', namespaceMapping: mapping, storageClassMapping: {}, preserveNodePorts: false },
      existingResources: 'SKIP',
    });
    const restored = await timed(restore.restoreResourcesFromRepository, restoreRequest({ [source]: target }));
    const { CREATED, SKIPPED, FAILED } = restored.result.counts;
    rows.push({ step: 'restore into a renamed namespace', objects: CREATED + SKIPPED + FAILED, ...restored });
    const inTarget = await countConfigMaps(kube, target);
    console.log(`restore: ${CREATED} created, ${SKIPPED} skipped, ${FAILED} failed; ${inTarget} ConfigMaps now in ${target}`);
    if (FAILED > 0) console.log(`first failure: ${JSON.stringify(restored.result.outcomes.find((o) => o.outcome === 'FAILED'))}`);

    const again = await timed(restore.restoreResourcesFromRepository, restoreRequest({}));
    rows.push({ step: 'restore onto itself (all exist, SKIP)', objects: again.result.counts.SKIPPED + again.result.counts.CREATED + again.result.counts.FAILED, ...again });
  } finally {
    await Promise.allSettled([removeNamespace(kube, source), removeNamespace(kube, target)]);
    await rm(work, { recursive: true, force: true });
    kube.close();
  }
  console.log(`\nResources at scale: ${count} ConfigMaps, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log('| step | objects | seconds | objects/s | phases (s) | CPU s: agent code | CPU s: cluster |\n|---|---|---|---|---|---|---|');
  for (const row of rows) {
    const phases = row.phases.map(([phase, seconds]) => `${phase} ${seconds.toFixed(2)}`).join(', ');
    console.log(`| ${row.step} | ${row.objects} | ${row.seconds.toFixed(2)} | ${Math.round(row.objects / row.seconds)} | ${phases} | ${row.cpu.bench.toFixed(1)} | ${row.cpu.cluster.toFixed(1)} |`);
  }
}
