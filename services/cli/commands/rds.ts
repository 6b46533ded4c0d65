import { answer } from '../../../lib/client/client.js';
import type { SuccessBody } from '../../../lib/client/client.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { integerValue, stringValue, stringValues, UsageError } from '../command.js';
import { allPages, cloudAccountIdOf, rdsBackupIdOf } from '../lookup.js';
import { formatTime, render, table } from '../output.js';
import { watchJob } from '../progress/watch.js';
import { RETENTION_OPTION, WAIT_OPTION } from './backups.js';

type CloudAccount = SuccessBody<'getCloudAccount'>;
type RdsDatabase = SuccessBody<'getRdsDatabase'>;
type RdsDefinition = SuccessBody<'getRdsBackupDefinition'>;

const RUN_MODES = ['SNAPSHOT', 'SNAPSHOT_AND_COPY', 'COPY_ONLY'] as const;
const accountIdOf = (context: CommandContext, reference: string) => cloudAccountIdOf(context.client, reference);
const rdsIdOf = (context: CommandContext, reference: string) => rdsBackupIdOf(context.client, reference);

async function started(context: CommandContext, job: { id: string }) {
  if (context.values.wait === true) {
    if (context.output === 'table') context.stdout.write(`Started: job ${job.id}.\n`);
    await watchJob(context, job.id);
    return;
  }
  context.stdout.write(render(context.output, job, () => `Started: job ${job.id}. Follow it: haven job watch ${job.id}`));
}

/** AWS cloud accounts and RDS: list, refresh the inventory, run a definition now, restore into a new database. */
export const rdsCommands: CommandSpec[] = [
  {
    group: 'cloud-account',
    verb: 'get',
    aliases: ['list'],
    usage: '',
    summary: 'List AWS cloud accounts (their keys are never shown)',
    options: {},
    arity: { min: 0, max: 0 },
    async run(context) {
      const accounts: CloudAccount[] = await allPages(async (page) => answer(await context.client.GET('/api/v1/cloud-accounts', { params: { query: page } })));
      const rows = () =>
        table(
          ['name', 'id', 'aws account', 'auth', 'regions', 'inventory', 'error'],
          accounts.map((a) => [a.name, a.id, a.awsAccountId, a.authKind, a.regions.join(','), formatTime(a.lastInventoryAt), a.lastInventoryError ?? '']),
        );
      context.stdout.write(render(context.output, accounts, rows));
    },
  },
  {
    group: 'cloud-account',
    verb: 'inventory',
    usage: 'NAME|ID',
    summary: 'Refresh the account\'s RDS inventory now (otherwise every 12 hours)',
    options: {},
    arity: { min: 1, max: 1 },
    async run(context) {
      const id = await accountIdOf(context, context.arguments[0]!);
      const ran = answer(await context.client.POST('/api/v1/cloud-accounts/{id}/actions/run-inventory', { params: { path: { id } } }));
      context.stdout.write(render(context.output, ran, () => `Found ${ran.found} databases; ${ran.markedDeleted} newly marked deleted${ran.error ? `; failed: ${ran.error}` : ''}`));
    },
  },
  {
    group: 'rds',
    verb: 'databases',
    usage: '',
    summary: 'List the RDS instances and Aurora clusters the inventory found',
    options: { account: { type: 'string', value: 'NAME|ID', description: 'only this cloud account\'s' } },
    arity: { min: 0, max: 0 },
    async run(context) {
      const account = stringValue(context.values, 'account');
      const filter = account ? { cloudAccountId: await accountIdOf(context, account) } : {};
      const databases: RdsDatabase[] = await allPages(async (page) => answer(await context.client.GET('/api/v1/rds-databases', { params: { query: { ...filter, ...page } } })));
      const rows = () =>
        table(
          ['identifier', 'id', 'type', 'region', 'engine', 'status', 'automatic snapshots'],
          databases.map((d) => [d.identifier, d.id, d.type, d.region, `${d.engine} ${d.engineVersion}`.trim(), d.deleted ? 'deleted' : d.status, String(d.automaticSnapshots.length)]),
        );
      context.stdout.write(render(context.output, databases, rows));
    },
  },
  {
    group: 'rds',
    verb: 'get',
    aliases: ['list'],
    usage: '',
    summary: 'List RDS backup definitions',
    options: {},
    arity: { min: 0, max: 0 },
    async run(context) {
      const definitions: RdsDefinition[] = await allPages(async (page) => answer(await context.client.GET('/api/v1/rds-backup-definitions', { params: { query: page } })));
      const rows = () =>
        table(
          ['name', 'id', 'database', 'region', 'copy to', 'policy', 'paused'],
          definitions.map((d) => [d.name, d.id, `${d.databaseType.toLowerCase()} ${d.databaseIdentifier}`, d.region, d.copy?.region ?? '', d.policyId ?? '', d.paused ? 'yes' : 'no']),
        );
      context.stdout.write(render(context.output, definitions, rows));
    },
  },
  {
    group: 'rds',
    verb: 'run',
    usage: 'NAME|ID',
    summary: 'Run an RDS backup definition now: a snapshot, a snapshot and its copy, or only a copy',
    options: { mode: { type: 'string', value: RUN_MODES.join('|'), description: 'what the run does (default SNAPSHOT)' }, ...RETENTION_OPTION, ...WAIT_OPTION },
    arity: { min: 1, max: 1 },
    async run(context) {
      const id = await rdsIdOf(context, context.arguments[0]!);
      const mode = stringValue(context.values, 'mode') ?? 'SNAPSHOT';
      if (!(RUN_MODES as readonly string[]).includes(mode)) throw new UsageError(`--mode must be one of ${RUN_MODES.join(', ')}`);
      const retentionDays = integerValue(context.values, 'retention-days');
      const body = { mode: mode as (typeof RUN_MODES)[number], ...(retentionDays === undefined ? {} : { retentionDays }) };
      await started(context, answer(await context.client.POST('/api/v1/rds-backup-definitions/{id}/actions/run', { params: { path: { id } }, body })));
    },
  },
  {
    group: 'rds',
    verb: 'restore',
    usage: 'RECOVERY_POINT_ID',
    summary: 'Restore an RDS recovery point into a new instance or cluster (in the snapshot\'s region)',
    options: {
      target: { type: 'string', value: 'IDENTIFIER', description: 'the new database\'s identifier (required)' },
      'instance-class': { type: 'string', value: 'CLASS', description: 'e.g. db.t3.micro (default: the snapshot\'s)' },
      'subnet-group': { type: 'string', value: 'NAME', description: 'DB subnet group' },
      'security-group': { type: 'string', multiple: true, value: 'SG', description: 'VPC security group id (repeatable)' },
      'parameter-group': { type: 'string', value: 'NAME', description: 'DB (cluster) parameter group' },
      ...WAIT_OPTION,
    },
    arity: { min: 1, max: 1 },
    async run(context) {
      const target = stringValue(context.values, 'target');
      if (!target) throw new UsageError('--target IDENTIFIER is required: a restore makes a new database');
      const body = {
        source: { kind: 'RECOVERY_POINT' as const, recoveryPointId: context.arguments[0]! },
        target: {
          identifier: target,
          instanceClass: stringValue(context.values, 'instance-class') ?? null,
          subnetGroupName: stringValue(context.values, 'subnet-group') ?? null,
          securityGroupIds: stringValues(context.values, 'security-group'),
          parameterGroupName: stringValue(context.values, 'parameter-group') ?? null,
        },
      };
      await started(context, answer(await context.client.POST('/api/v1/rds-restores', { body })));
    },
  },
];
