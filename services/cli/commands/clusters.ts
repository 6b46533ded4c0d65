import { writeFileSync } from 'node:fs';
import { answer } from '../../../lib/client/client.js';
import type { SuccessBody } from '../../../lib/client/client.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { stringValue } from '../command.js';
import { allPages, clusterIdOf, storageTargetIdOf } from '../lookup.js';
import { clusterInventoryCommand } from './cluster-inventory.js';
import { describe, formatTags, formatTime, render, table } from '../output.js';

type Cluster = SuccessBody<'getCluster'>;

const clusterRows = (clusters: Cluster[]) =>
  table(
    ['name', 'id', 'status', 'agent last seen', 'created'],
    clusters.map((cluster) => [cluster.name, cluster.id, cluster.status, formatTime(cluster.agentLastSeenAt), formatTime(cluster.createdAt)]),
  );

const describeCluster = (cluster: Cluster) =>
  describe([
    ['Name', cluster.name],
    ['Id', cluster.id],
    ['Status', cluster.status],
    ['Description', cluster.description],
    ['Agent last seen', formatTime(cluster.agentLastSeenAt)],
    ['Default storage target', cluster.defaultStorageTargetId ?? ''],
    ['Kubelet pods directory', cluster.kubeletPodsDir],
    ['Tags', formatTags(cluster.tags)],
    ['Created', formatTime(cluster.createdAt)],
    ['Updated', formatTime(cluster.updatedAt)],
  ]);

async function listClusters(context: CommandContext) {
  const clusters = await allPages(async (page) => answer(await context.client.GET('/api/v1/clusters', { params: { query: page } })));
  context.stdout.write(render(context.output, clusters, () => clusterRows(clusters)));
}

export const clusterCommands: CommandSpec[] = [
  {
    group: 'cluster',
    verb: 'list',
    usage: '',
    summary: 'List the registered clusters and whether their agents are connected',
    options: {},
    arity: { min: 0, max: 0 },
    run: listClusters,
  },
  {
    group: 'cluster',
    verb: 'get',
    aliases: ['describe'],
    usage: '[NAME|ID]',
    summary: 'Show one cluster (without a name: list them)',
    options: {},
    arity: { min: 0, max: 1 },
    async run(context) {
      if (context.arguments.length === 0) return listClusters(context);
      const id = await clusterIdOf(context.client, context.arguments[0]!);
      const cluster = answer(await context.client.GET('/api/v1/clusters/{id}', { params: { path: { id } } }));
      context.stdout.write(render(context.output, cluster, () => describeCluster(cluster)));
    },
  },
  {
    group: 'cluster',
    verb: 'register',
    usage: 'NAME',
    summary: 'Register a cluster; prints its agent token once and writes the agent manifest to apply in it',
    details: 'Apply the manifest with `kubectl apply -f <file>`; the agent connects outbound only. The token is shown only now (a new one: POST /clusters/{id}/agent-token).',
    options: {
      description: { type: 'string', value: 'TEXT', description: 'what the cluster is' },
      'storage-target': { type: 'string', value: 'NAME|ID', description: "the cluster's default storage target for backups" },
      'kubelet-pods-dir': { type: 'string', value: 'PATH', description: "the nodes' kubelet pods directory (for host-volume reads)" },
      'manifest-file': { type: 'string', value: 'PATH', description: 'write the agent manifest here (default: print it after the summary)' },
    },
    arity: { min: 1, max: 1 },
    async run(context) {
      const target = stringValue(context.values, 'storage-target');
      const description = stringValue(context.values, 'description');
      const kubeletPodsDir = stringValue(context.values, 'kubelet-pods-dir');
      const cluster = answer(
        await context.client.POST('/api/v1/clusters', {
          body: {
            name: context.arguments[0]!,
            ...(description ? { description } : {}),
            ...(kubeletPodsDir ? { kubeletPodsDir } : {}),
            ...(target ? { defaultStorageTargetId: await storageTargetIdOf(context.client, target) } : {}),
          },
        }),
      );
      const manifestFile = stringValue(context.values, 'manifest-file');
      if (manifestFile) writeFileSync(manifestFile, cluster.agentManifest, { mode: 0o600 });
      context.stdout.write(
        render(context.output, cluster, () =>
          [
            `Cluster "${cluster.name}" registered: ${cluster.id} (${cluster.status}).`,
            `Agent token (shown once): ${cluster.agentToken}`,
            manifestFile ? `Agent manifest written to ${manifestFile}: kubectl apply -f ${manifestFile}` : `Agent manifest (kubectl apply -f -):\n${cluster.agentManifest}`,
          ].join('\n'),
        ),
      );
    },
  },
  clusterInventoryCommand,
];
