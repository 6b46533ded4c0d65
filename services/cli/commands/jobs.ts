import { answer } from '../../../lib/client/client.js';
import type { Job } from '../../../lib/client/client.js';
import type { CommandSpec } from '../command.js';
import { stringValue, UsageError } from '../command.js';
import { describe, formatBytes, formatDuration, formatTime, render, table } from '../output.js';
import { watchJob } from '../progress/watch.js';
import { allPages, backupIdOf } from '../lookup.js';

const JOB_KINDS = ['BACKUP', 'REPLICATION', 'RESTORE', 'RECOVERY_POINT_DELETE', 'DRILL'] as const;
const JOB_STATUSES = ['RUNNING', 'COMPLETED', 'PARTIAL', 'FAILED', 'SKIPPED', 'CANCELLED'] as const;

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  const upper = value.toUpperCase();
  if (!(allowed as readonly string[]).includes(upper)) throw new UsageError(`--${flag} "${value}" is not one of ${allowed.join(', ')}`);
  return upper as T;
}

export const jobRows = (jobs: Job[]) =>
  table(
    ['id', 'kind', 'definition', 'status', 'started', 'duration', 'bytes', 'files'],
    jobs.map((job) => [
      job.id,
      job.kind,
      job.definitionName,
      job.status,
      formatTime(job.startedAt),
      job.durationSeconds === null ? '' : formatDuration(job.durationSeconds),
      formatBytes(job.bytesTransferred),
      String(job.filesTransferred),
    ]),
  );

export const describeJob = (job: Job) =>
  describe([
    ['Id', job.id],
    ['Kind', job.kind],
    ['Definition', `${job.definitionName}${job.definitionId ? ` (${job.definitionId})` : ''}`],
    ['Status', job.status],
    ['Message', job.message],
    ['Skip reason', job.skipReason ?? undefined],
    ['Started', formatTime(job.startedAt)],
    ['Ended', formatTime(job.endedAt)],
    ['Duration', job.durationSeconds === null ? '' : formatDuration(job.durationSeconds)],
    ['Transferred', `${formatBytes(job.bytesTransferred)}, ${job.filesTransferred} files`],
    ['Workflow', job.workflowId],
    ['Temporal UI', job.temporalUiUrl],
    ['Errors', job.errors.map((error) => `${error.resource ? `${error.resource}: ` : ''}${error.message}`)],
  ]);

export const jobCommands: CommandSpec[] = [
  {
    group: 'job',
    verb: 'get',
    aliases: ['list', 'describe'],
    usage: '[ID]',
    summary: 'Show one job, or list jobs (newest first)',
    options: {
      kind: { type: 'string', value: 'KIND', description: `only jobs of this kind (${JOB_KINDS.join(', ')})` },
      status: { type: 'string', value: 'STATUS', description: `only jobs in this status (${JOB_STATUSES.join(', ')})` },
      backup: { type: 'string', value: 'NAME|ID', description: 'only runs of this backup definition' },
    },
    arity: { min: 0, max: 1 },
    async run(context) {
      const [id] = context.arguments;
      if (id) {
        const job = answer(await context.client.GET('/api/v1/jobs/{id}', { params: { path: { id } } }));
        context.stdout.write(render(context.output, job, () => describeJob(job)));
        return;
      }
      const kind = oneOf('kind', stringValue(context.values, 'kind'), JOB_KINDS);
      const status = oneOf('status', stringValue(context.values, 'status'), JOB_STATUSES);
      const backup = stringValue(context.values, 'backup');
      const filters = {
        ...(kind ? { kind } : {}),
        ...(status ? { status } : {}),
        ...(backup ? { definitionId: await backupIdOf(context.client, backup) } : {}),
      };
      const jobs = await allPages(async (page) => answer(await context.client.GET('/api/v1/jobs', { params: { query: { ...filters, ...page } } })));
      context.stdout.write(render(context.output, jobs, () => jobRows(jobs)));
    },
  },
  {
    group: 'job',
    verb: 'watch',
    usage: 'ID',
    summary: 'Follow a job until it ends: a progress bar on a terminal, one line per change otherwise',
    details: 'Exits 0 when the job COMPLETED and 1 otherwise. With -o json|yaml prints only the finished job.',
    options: {},
    arity: { min: 1, max: 1 },
    async run(context) {
      await watchJob(context, context.arguments[0]!);
    },
  },
  {
    group: 'job',
    verb: 'cancel',
    usage: 'ID',
    summary: 'Cancel a running job; its run undoes what it started',
    options: {},
    arity: { min: 1, max: 1 },
    async run(context) {
      const job = answer(await context.client.POST('/api/v1/jobs/{id}/actions/cancel', { params: { path: { id: context.arguments[0]! } } }));
      context.stdout.write(render(context.output, job, () => `Cancel requested for job ${job.id} (${job.kind} ${job.definitionName}).`));
    },
  },
];
