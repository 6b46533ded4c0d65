import { answer } from '../../../lib/client/client.js';
import type { CommandSpec } from '../command.js';
import { integerValue, stringValue, UsageError } from '../command.js';
import { backupIdOf, clusterIdOf, drillIdOf, policyIdOf } from '../lookup.js';
import { render, table } from '../output.js';
import { watchJob } from '../progress/watch.js';
import { WAIT_OPTION } from './backups.js';


export const drillCommands: CommandSpec[] = [
  {
    group: 'drill',
    verb: 'create',
    usage: 'NAME',
    summary: "Define a restore drill of a backup definition's recovery points (scheduled by --policy, or run on demand)",
    details: 'Example: haven drill create shop-weekly --backup shop --cluster standby --prefix drill- --policy weekly --run --wait',
    options: {
      backup: { type: 'string', value: 'NAME|ID', description: 'the backup definition whose latest recovery point is drilled (required)' },
      point: { type: 'string', value: 'ID', description: 'drill this recovery point every time instead of the latest' },
      cluster: { type: 'string', value: 'NAME|ID', description: "where the scratch copy goes (default: the backup's cluster)" },
      prefix: { type: 'string', value: 'PREFIX', description: 'put before each namespace to name its scratch copy (default drill-)' },
      'readiness-timeout': { type: 'string', value: 'MINUTES', description: 'how long workloads have to become ready (default 10)' },
      policy: { type: 'string', value: 'NAME|ID', description: 'run on this policy\'s schedules' },
      run: { type: 'boolean', description: 'start a first run at once' },
      ...WAIT_OPTION,
    },
    arity: { min: 1, max: 1 },
    async run(context) {
      const { values, client } = context;
      const backup = stringValue(values, 'backup');
      if (!backup) throw new UsageError('--backup is required: the backup definition to drill (haven backup get)');
      const cluster = stringValue(values, 'cluster');
      const policy = stringValue(values, 'policy');
      const readiness = integerValue(values, 'readiness-timeout');
      const runNow = values.run === true;
      if (!runNow && values.wait === true) throw new UsageError('--wait needs a run: add --run');
      const drill = answer(
        await client.POST('/api/v1/restore-drills', {
          body: {
            name: context.arguments[0]!,
            backupDefinitionId: await backupIdOf(client, backup),
            ...(stringValue(values, 'point') ? { recoveryPointId: stringValue(values, 'point')! } : {}),
            ...(cluster ? { targetClusterId: await clusterIdOf(client, cluster) } : {}),
            ...(stringValue(values, 'prefix') ? { namespacePrefix: stringValue(values, 'prefix')! } : {}),
            ...(readiness === undefined ? {} : { readinessTimeoutMinutes: readiness }),
            ...(policy ? { policyId: await policyIdOf(client, policy) } : {}),
            runNow,
          },
        }),
      );
      const job = runNow ? answer(await client.GET('/api/v1/jobs', { params: { query: { definitionId: drill.id, limit: 1 } } })).items[0] : undefined;
      if (context.values.wait === true && job) {
        if (context.output === 'table') context.stdout.write(`Drill "${drill.name}" created: ${drill.id}; job ${job.id}.\n`);
        await watchJob(context, job.id);
        return;
      }
      context.stdout.write(render(context.output, drill, () => `Drill "${drill.name}" created: ${drill.id}${job ? `; job ${job.id} started` : ''}.`));
    },
  },
  {
    group: 'drill',
    verb: 'run',
    usage: 'NAME|ID',
    summary: 'Run a restore drill now',
    options: { ...WAIT_OPTION },
    arity: { min: 1, max: 1 },
    async run(context) {
      const id = await drillIdOf(context.client, context.arguments[0]!);
      const job = answer(await context.client.POST('/api/v1/restore-drills/{id}/actions/run', { params: { path: { id } } }));
      if (context.values.wait === true) {
        if (context.output === 'table') context.stdout.write(`Drill started: job ${job.id}.\n`);
        await watchJob(context, job.id);
        return;
      }
      context.stdout.write(render(context.output, job, () => `Drill started: job ${job.id}. Follow it: haven job watch ${job.id}`));
    },
  },
  {
    group: 'drill',
    verb: 'results',
    usage: 'NAME|ID',
    summary: "A drill's runs, newest first, with their verdict and first difference",
    options: {},
    arity: { min: 1, max: 1 },
    async run(context) {
      const id = await drillIdOf(context.client, context.arguments[0]!);
      const jobs = answer(await context.client.GET('/api/v1/jobs', { params: { query: { definitionId: id, kind: 'DRILL', limit: 50 } } })).items;
      context.stdout.write(
        render(context.output, jobs, () =>
          table(
            ['job', 'started', 'result', 'recovery point', 'differences', 'first difference'],
            jobs.map((job) => [
              job.id,
              job.startedAt,
              job.drill?.result ?? job.status,
              job.drill?.recoveryPointId ?? '',
              String(job.drill?.differences.length ?? 0),
              job.drill?.differences[0] ? `${job.drill.differences[0].subject}: ${job.drill.differences[0].message}` : '',
            ]),
          ),
        ),
      );
    },
  },
];
