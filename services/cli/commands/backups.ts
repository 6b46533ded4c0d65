import { answer } from '../../../lib/client/client.js';
import type { RequestBody, SuccessBody } from '../../../lib/client/client.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { integerValue, listValues, stringValue, UsageError } from '../command.js';
import { CONFIRM_OPTION, confirmed } from '../confirm.js';
import { allPages, backupIdOf, clusterIdOf, policyIdOf, storageTargetIdOf } from '../lookup.js';
import { describe, formatTags, formatTime, render, table } from '../output.js';
import { watchJob } from '../progress/watch.js';
import { jobRows } from './jobs.js';

type BackupDefinition = SuccessBody<'getBackupDefinition'>;
type BackupBody = RequestBody<'createBackupDefinition'>;

/** Recent runs `backup describe` shows. */
const RECENT_JOBS = 5;

const scopeText = (definition: BackupDefinition) => {
  const { selection } = definition;
  if (selection.scope === 'SELECTED_NAMESPACES') return selection.namespaces.join(',');
  if (selection.scope === 'FULL_CLUSTER_EXCEPT') return `all but ${selection.excludedNamespaces.join(',')}`;
  return 'whole cluster';
};

const backupRows = (definitions: BackupDefinition[]) =>
  table(
    ['name', 'id', 'cluster', 'namespaces', 'mode', 'policy', 'paused'],
    definitions.map((definition) => [
      definition.name,
      definition.id,
      definition.clusterId,
      scopeText(definition),
      definition.persistentVolumes.mode,
      definition.policyId ?? '',
      definition.paused ? 'yes' : 'no',
    ]),
  );

const describeBackup = (definition: BackupDefinition, recent: string) =>
  describe([
    ['Name', definition.name],
    ['Id', definition.id],
    ['Cluster', definition.clusterId],
    ['Policy', definition.policyId ?? ''],
    ['Paused', definition.paused ? 'yes' : 'no'],
    ['Scope', definition.selection.scope],
    ['Namespaces', scopeText(definition)],
    ['Label selector', definition.selection.labels],
    ['Resource types', definition.selection.resourceTypes.join(',')],
    ['Volumes', definition.persistentVolumes.include ? definition.persistentVolumes.mode : 'not included'],
    ['Destination', definition.advanced.destinationStorageTargetId ?? "the cluster's default storage target"],
    ['Pre-backup hooks', definition.hooks.preBackup],
    ['Post-backup hooks', definition.hooks.postBackup],
    ['Tags', formatTags(definition.tags)],
    ['Created', formatTime(definition.createdAt)],
    ['Updated', formatTime(definition.updatedAt)],
  ]) + `\nRecent runs:\n${recent}`;

async function definitionOf(context: CommandContext, reference: string): Promise<BackupDefinition> {
  const id = await backupIdOf(context.client, reference);
  return answer(await context.client.GET('/api/v1/backup-definitions/{id}', { params: { path: { id } } }));
}

/** The body `backup create` sends, from Velero-style flags. */
async function backupBody(context: CommandContext): Promise<BackupBody> {
  const { values, client } = context;
  const cluster = stringValue(values, 'cluster');
  if (!cluster) throw new UsageError('--cluster is required: the cluster to back up');
  const included = listValues(values, 'include-namespaces');
  const excluded = listValues(values, 'exclude-namespaces');
  if (included.length > 0 && excluded.length > 0) throw new UsageError('--include-namespaces and --exclude-namespaces cannot be used together');
  const labels = stringValue(values, 'selector');
  const resourceTypes = listValues(values, 'include-resources');
  const policy = stringValue(values, 'policy');
  const target = stringValue(values, 'storage-target');
  const retentionDays = integerValue(values, 'retention-days');
  const runNow = values['run-now'] === true || values.wait === true;
  if (retentionDays !== undefined && !runNow) throw new UsageError('--retention-days applies to the first run: add --run-now');
  return {
    name: context.arguments[0]!,
    clusterId: await clusterIdOf(client, cluster),
    selection: {
      scope: included.length > 0 ? 'SELECTED_NAMESPACES' : excluded.length > 0 ? 'FULL_CLUSTER_EXCEPT' : 'FULL_CLUSTER',
      ...(included.length > 0 ? { namespaces: included } : {}),
      ...(excluded.length > 0 ? { excludedNamespaces: excluded } : {}),
      ...(labels ? { labels } : {}),
      ...(resourceTypes.length > 0 ? { resourceTypes } : {}),
    },
    ...(values['snapshot-only'] === true ? { persistentVolumes: { mode: 'SNAPSHOT_ONLY' } } : {}),
    ...(policy ? { policyId: await policyIdOf(client, policy) } : {}),
    ...(target ? { advanced: { destinationStorageTargetId: await storageTargetIdOf(client, target) } } : {}),
    ...(runNow ? { runNow: true } : {}),
    ...(retentionDays !== undefined ? { runNowRetentionDays: retentionDays } : {}),
  };
}

const RETENTION_OPTION = { 'retention-days': { type: 'string', value: 'DAYS', description: "how long this run's recovery point is kept (required without a policy)" } } as const;
export const WAIT_OPTION = { wait: { type: 'boolean', description: 'follow the run as `haven job watch` does' } } as const;

export const backupCommands: CommandSpec[] = [
  {
    group: 'backup',
    verb: 'create',
    usage: 'NAME',
    summary: 'Create a backup definition (and with --run-now, start its first run)',
    details: 'Example: haven backup create shop --cluster prod --include-namespaces shop,db --run-now --retention-days 7 --wait',
    options: {
      cluster: { type: 'string', value: 'NAME|ID', description: 'the cluster to back up (required)' },
      'include-namespaces': { type: 'string', multiple: true, value: 'NS[,NS]', description: 'only these namespaces' },
      'exclude-namespaces': { type: 'string', multiple: true, value: 'NS[,NS]', description: 'the whole cluster except these namespaces' },
      selector: { type: 'string', short: 'l', value: 'LABELS', description: 'only resources with these labels (app:db,tier:web)' },
      'include-resources': { type: 'string', multiple: true, value: 'TYPE[,TYPE]', description: 'only these resource types' },
      'snapshot-only': { type: 'boolean', description: 'keep volumes as CSI snapshots only, without copying them to object storage' },
      policy: { type: 'string', value: 'NAME|ID', description: 'the policy whose schedules run it' },
      'storage-target': { type: 'string', value: 'NAME|ID', description: "where copies go (default: the cluster's default target)" },
      'run-now': { type: 'boolean', description: 'start the first run at once' },
      ...RETENTION_OPTION,
      ...WAIT_OPTION,
    },
    arity: { min: 1, max: 1 },
    async run(context) {
      const definition = answer(await context.client.POST('/api/v1/backup-definitions', { body: await backupBody(context) }));
      const started = context.values['run-now'] === true || context.values.wait === true;
      if (context.values.wait === true) {
        const jobs = answer(await context.client.GET('/api/v1/jobs', { params: { query: { definitionId: definition.id, limit: 1 } } }));
        if (context.output === 'table') context.stdout.write(`Backup "${definition.name}" created: ${definition.id}.\n`);
        await watchJob(context, jobs.items[0]!.id);
        return;
      }
      context.stdout.write(
        render(context.output, definition, () => `Backup "${definition.name}" created: ${definition.id}.${started ? ` Its first run started: haven job get --backup ${definition.name}` : ` Run it: haven backup run ${definition.name}`}`),
      );
    },
  },
  {
    group: 'backup',
    verb: 'run',
    usage: 'NAME|ID',
    summary: 'Start a run of a backup definition now',
    options: { ...RETENTION_OPTION, ...WAIT_OPTION },
    arity: { min: 1, max: 1 },
    async run(context) {
      const id = await backupIdOf(context.client, context.arguments[0]!);
      const retentionDays = integerValue(context.values, 'retention-days');
      const job = answer(
        await context.client.POST('/api/v1/backup-definitions/{id}/actions/run', {
          params: { path: { id } },
          body: retentionDays === undefined ? {} : { retentionDays },
        }),
      );
      if (context.values.wait === true) {
        if (context.output === 'table') context.stdout.write(`Run started: job ${job.id}.\n`);
        await watchJob(context, job.id);
        return;
      }
      context.stdout.write(render(context.output, job, () => `Run started: job ${job.id}. Follow it: haven job watch ${job.id}`));
    },
  },
  {
    group: 'backup',
    verb: 'get',
    aliases: ['list'],
    usage: '[NAME|ID]',
    summary: 'List backup definitions, or show one',
    options: { cluster: { type: 'string', value: 'NAME|ID', description: "only this cluster's definitions" } },
    arity: { min: 0, max: 1 },
    async run(context) {
      const [reference] = context.arguments;
      if (reference) {
        const definition = await definitionOf(context, reference);
        context.stdout.write(render(context.output, definition, () => backupRows([definition])));
        return;
      }
      const cluster = stringValue(context.values, 'cluster');
      const filter = cluster ? { clusterId: await clusterIdOf(context.client, cluster) } : {};
      const definitions = await allPages(async (page) => answer(await context.client.GET('/api/v1/backup-definitions', { params: { query: { ...filter, ...page } } })));
      context.stdout.write(render(context.output, definitions, () => backupRows(definitions)));
    },
  },
  {
    group: 'backup',
    verb: 'describe',
    usage: 'NAME|ID',
    summary: 'Show a backup definition in full, with its recent runs',
    options: {},
    arity: { min: 1, max: 1 },
    async run(context) {
      const definition = await definitionOf(context, context.arguments[0]!);
      const recent = answer(await context.client.GET('/api/v1/jobs', { params: { query: { definitionId: definition.id, limit: RECENT_JOBS } } })).items;
      context.stdout.write(render(context.output, definition, () => describeBackup(definition, recent.length > 0 ? jobRows(recent) : '  <none>\n')));
    },
  },
  {
    group: 'backup',
    verb: 'delete',
    usage: 'NAME|ID',
    summary: 'Delete a backup definition (its recovery points stay until they expire)',
    options: { ...CONFIRM_OPTION },
    arity: { min: 1, max: 1 },
    async run(context) {
      const definition = await definitionOf(context, context.arguments[0]!);
      if (!(await confirmed(context, `Delete backup definition "${definition.name}" (${definition.id})?`))) return;
      answer(await context.client.DELETE('/api/v1/backup-definitions/{id}', { params: { path: { id: definition.id } } }));
      context.stdout.write(render(context.output, { deleted: definition.id }, () => `Backup definition "${definition.name}" deleted.`));
    },
  },
];
