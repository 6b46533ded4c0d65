import { answer } from '../../../lib/client/client.js';
import type { RequestBody } from '../../../lib/client/client.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { listValues, stringValue, UsageError } from '../command.js';
import { clusterIdOf } from '../lookup.js';
import { render } from '../output.js';
import { watchJob } from '../progress/watch.js';

type RestoreBody = RequestBody<'createRestore'>;

/** `--namespace-mapping a:b,c:d` (or repeated) as the API's map; a source mapped twice is a mistake, not a choice. */
export function mappingOf(flag: string, entries: string[]): Record<string, string> {
  // A Map, not an object: `constructor` is a valid name, and `in` on an object would find it already there.
  const mapping = new Map<string, string>();
  for (const entry of entries) {
    const match = /^([^:]+):([^:]+)$/.exec(entry);
    if (!match) throw new UsageError(`--${flag} "${entry}" is not FROM:TO`);
    const [, from, to] = match as unknown as [string, string, string];
    if (mapping.has(from)) throw new UsageError(`--${flag} maps "${from}" twice`);
    mapping.set(from, to);
  }
  return Object.fromEntries(mapping);
}

/** Velero names restores after their backup and the time: unique enough, and readable in a list. */
const defaultName = (pointId: string, now: Date) => `restore-${pointId.slice(0, 8)}-${now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')}`;

async function restoreBody(context: CommandContext): Promise<RestoreBody> {
  const { values, client } = context;
  const recoveryPointId = stringValue(values, 'from');
  if (!recoveryPointId) throw new UsageError('--from is required: the recovery point to restore (haven point list)');
  const point = answer(await client.GET('/api/v1/recovery-points/{id}', { params: { path: { id: recoveryPointId } } }));
  const cluster = stringValue(values, 'cluster');
  const targetClusterId = cluster ? await clusterIdOf(client, cluster) : point.clusterId;
  if (!targetClusterId) throw new UsageError(`recovery point ${point.id} has no cluster any more: name one with --cluster`);
  const namespaceMapping = mappingOf('namespace-mapping', listValues(values, 'namespace-mapping'));
  const storageClassMapping = mappingOf('storage-class-mapping', listValues(values, 'storage-class-mapping'));
  const namespaces = listValues(values, 'include-namespaces');
  const labels = stringValue(values, 'selector');
  const transforms = {
    ...(Object.keys(namespaceMapping).length > 0 ? { namespaceMapping } : {}),
    ...(Object.keys(storageClassMapping).length > 0 ? { storageClassMapping } : {}),
  };
  return {
    name: context.arguments[0] ?? defaultName(point.id, new Date()),
    recoveryPointId: point.id,
    targetClusterId,
    ...(Object.keys(transforms).length > 0 ? { transforms } : {}),
    ...(namespaces.length > 0 || labels ? { selection: { ...(namespaces.length > 0 ? { namespaces } : {}), ...(labels ? { labels } : {}) } } : {}),
    ...(stringValue(values, 'existing-resources') ? { existingResources: existingResources(stringValue(values, 'existing-resources')!) } : {}),
    runNow: values['no-run'] !== true,
  };
}

function existingResources(value: string): 'SKIP' | 'UPDATE' {
  const upper = value.toUpperCase();
  if (upper !== 'SKIP' && upper !== 'UPDATE') throw new UsageError(`--existing-resources "${value}" is not SKIP or UPDATE`);
  return upper;
}

export const restoreCommands: CommandSpec[] = [
  {
    group: 'restore',
    verb: 'create',
    usage: '[NAME]',
    summary: 'Restore a recovery point (to its own cluster unless --cluster names another), starting at once',
    details: 'Example: haven restore create --from <point> --namespace-mapping shop:shop-copy --storage-class-mapping fast:standard --wait',
    options: {
      from: { type: 'string', value: 'POINT', description: 'the recovery point to restore (required; haven point list)' },
      cluster: { type: 'string', value: 'NAME|ID', description: "where to restore (default: the point's cluster)" },
      'namespace-mapping': { type: 'string', multiple: true, value: 'FROM:TO[,FROM:TO]', description: 'restore namespace FROM as TO' },
      'storage-class-mapping': { type: 'string', multiple: true, value: 'FROM:TO[,FROM:TO]', description: 'create volumes of storage class FROM with class TO' },
      'include-namespaces': { type: 'string', multiple: true, value: 'NS[,NS]', description: 'only these namespaces of the point' },
      selector: { type: 'string', short: 'l', value: 'LABELS', description: 'only resources with these labels (app:db)' },
      'existing-resources': { type: 'string', value: 'SKIP|UPDATE', description: 'what to do with resources that already exist (default SKIP)' },
      'no-run': { type: 'boolean', description: 'save the restore without starting it' },
      wait: { type: 'boolean', description: 'follow the run as `haven job watch` does' },
    },
    arity: { min: 0, max: 1 },
    async run(context) {
      const body = await restoreBody(context);
      if (!body.runNow && context.values.wait === true) throw new UsageError('--wait needs a run: drop --no-run');
      const restore = answer(await context.client.POST('/api/v1/restores', { body }));
      const job = body.runNow ? answer(await context.client.GET('/api/v1/jobs', { params: { query: { definitionId: restore.id, limit: 1 } } })).items[0] : undefined;
      if (context.values.wait === true && job) {
        if (context.output === 'table') context.stdout.write(`Restore "${restore.name}" created: ${restore.id}; job ${job.id}.\n`);
        await watchJob(context, job.id);
        return;
      }
      context.stdout.write(
        render(context.output, restore, () =>
          job ? `Restore "${restore.name}" created: ${restore.id}; job ${job.id} started. Follow it: haven job watch ${job.id}` : `Restore "${restore.name}" created: ${restore.id} (not started).`,
        ),
      );
    },
  },
];
