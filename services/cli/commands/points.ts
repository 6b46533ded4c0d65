import { answer } from '../../../lib/client/client.js';
import type { SuccessBody } from '../../../lib/client/client.js';
import type { CommandSpec } from '../command.js';
import { stringValue } from '../command.js';
import { allPages, backupIdOf, clusterIdOf } from '../lookup.js';
import { describe, formatBytes, formatTime, render, table } from '../output.js';

type RecoveryPoint = SuccessBody<'getRecoveryPoint'>;

const pointRows = (points: RecoveryPoint[]) =>
  table(
    ['id', 'type', 'definition', 'cluster', 'created', 'expires', 'size', 'namespaces', 'locked'],
    points.map((point) => [
      point.id,
      point.type,
      point.definitionName,
      point.clusterName,
      formatTime(point.createdAt),
      formatTime(point.expiresAt),
      formatBytes(point.sizeBytes),
      point.contents.namespaces.join(','),
      point.safeLock.locked ? `until ${formatTime(point.safeLock.lockedUntil)}` : 'no',
    ]),
  );

const describePoint = (point: RecoveryPoint) =>
  describe([
    ['Id', point.id],
    ['Type', `${point.type} (${point.sourceType})`],
    ['Definition', `${point.definitionName}${point.definitionId ? ` (${point.definitionId})` : ''}`],
    ['Cluster', `${point.clusterName}${point.clusterId ? ` (${point.clusterId})` : ''}`],
    ['Job', point.jobId ?? ''],
    ['Storage target', point.storageTargetId ?? 'none'],
    ['RDS snapshot', point.rds ? `${point.rds.snapshotIdentifier} in ${point.rds.region}${point.rds.copiedFrom ? ` (copy of ${point.rds.copiedFrom.snapshotIdentifier} in ${point.rds.copiedFrom.region})` : ''}` : ''],
    ['Created', formatTime(point.createdAt)],
    ['Expires', formatTime(point.expiresAt)],
    ['Snapshots expire', formatTime(point.snapshotExpiresAt)],
    ['SafeLock', point.safeLock.locked ? `locked until ${formatTime(point.safeLock.lockedUntil)}` : 'not locked'],
    ['Size', formatBytes(point.sizeBytes)],
    ['Resources', String(point.contents.resourceCount)],
    ['Namespaces', point.contents.namespaces],
    [
      'Volumes',
      point.contents.persistentVolumes.map(
        (volume) => `${volume.namespace}/${volume.claim}  ${volume.storageClass}  ${volume.method}  ${formatBytes(volume.sizeBytes)}${volume.copyBytes === undefined ? '' : `, copied ${formatBytes(volume.copyBytes)} in ${volume.copyFiles ?? 0} files`}`,
      ),
    ],
  ]);

export const pointCommands: CommandSpec[] = [
  {
    group: 'point',
    verb: 'list',
    aliases: ['get'],
    usage: '',
    summary: 'List recovery points (newest first)',
    options: {
      cluster: { type: 'string', value: 'NAME|ID', description: "only this cluster's points" },
      backup: { type: 'string', value: 'NAME|ID', description: "only this backup definition's points" },
    },
    arity: { min: 0, max: 0 },
    async run(context) {
      const cluster = stringValue(context.values, 'cluster');
      const backup = stringValue(context.values, 'backup');
      const filters = {
        ...(cluster ? { clusterId: await clusterIdOf(context.client, cluster) } : {}),
        ...(backup ? { definitionId: await backupIdOf(context.client, backup) } : {}),
      };
      const points = await allPages(async (page) => answer(await context.client.GET('/api/v1/recovery-points', { params: { query: { ...filters, ...page } } })));
      context.stdout.write(render(context.output, points, () => pointRows(points)));
    },
  },
  {
    group: 'point',
    verb: 'describe',
    usage: 'ID',
    summary: 'Show a recovery point: what it holds, where, and until when',
    options: {},
    arity: { min: 1, max: 1 },
    async run(context) {
      const point = answer(await context.client.GET('/api/v1/recovery-points/{id}', { params: { path: { id: context.arguments[0]! } } }));
      context.stdout.write(render(context.output, point, () => describePoint(point)));
    },
  },
];
