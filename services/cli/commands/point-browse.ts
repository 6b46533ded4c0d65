import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { answer, ApiProblem } from '../../../lib/client/client.js';
import type { CommandSpec } from '../command.js';
import { stringValue, UsageError } from '../command.js';
import { allPages } from '../lookup.js';
import { formatBytes, formatTime, render, table } from '../output.js';

const recoveryPointPath = '/api/v1/recovery-points/{id}';

/** `NAMESPACE/CLAIM`, as `point describe` lists a point's volumes. */
function volumeOf(argument: string): { namespace: string; claim: string } {
  const [namespace, claim, ...rest] = argument.split('/');
  if (!namespace || !claim || rest.length > 0) throw new UsageError(`"${argument}" is not NAMESPACE/CLAIM`);
  return { namespace, claim };
}

/** Browsing a recovery point without restoring it: its resources and YAML, a copied PV's files, tar downloads. */
export const pointBrowseCommands: CommandSpec[] = [
  {
    group: 'point',
    verb: 'resources',
    usage: 'ID',
    summary: 'List the resources a recovery point holds',
    options: {
      namespace: { type: 'string', short: 'n', value: 'NAMESPACE', description: 'only this namespace' },
      type: { type: 'string', value: 'TYPE', description: 'only this type (configmaps, deployments.apps)' },
    },
    arity: { min: 1, max: 1 },
    async run(context) {
      const namespace = stringValue(context.values, 'namespace');
      const type = stringValue(context.values, 'type');
      const filters = { ...(namespace ? { namespace } : {}), ...(type ? { type } : {}) };
      const id = context.arguments[0]!;
      const items = await allPages(async (page) => answer(await context.client.GET(`${recoveryPointPath}/resources`, { params: { path: { id }, query: { ...filters, ...page } } })));
      context.stdout.write(render(context.output, items, () => table(['type', 'namespace', 'name', 'kind'], items.map((r) => [r.type, r.namespace ?? '', r.name, r.kind]))));
    },
  },
  {
    group: 'point',
    verb: 'resource',
    usage: 'ID TYPE NAME',
    summary: 'Print one resource of a recovery point as YAML',
    options: { namespace: { type: 'string', short: 'n', value: 'NAMESPACE', description: "the resource's namespace (none for a cluster-scoped one)" } },
    arity: { min: 3, max: 3 },
    async run(context) {
      const [id, type, name] = context.arguments as [string, string, string];
      const namespace = stringValue(context.values, 'namespace');
      const resource = answer(
        await context.client.GET(`${recoveryPointPath}/resources/{type}/{name}`, { params: { path: { id, type, name }, query: namespace ? { namespace } : {} } }),
      );
      context.stdout.write(render(context.output, resource, () => resource.yaml));
    },
  },
  {
    group: 'point',
    verb: 'files',
    usage: 'ID NAMESPACE/CLAIM',
    summary: "List the files of a PV a recovery point copied, with sizes and modes",
    options: { path: { type: 'string', value: 'PATH', description: 'from this file or directory down (relative to the volume root)' } },
    arity: { min: 2, max: 2 },
    async run(context) {
      const id = context.arguments[0]!;
      const { namespace, claim } = volumeOf(context.arguments[1]!);
      const path = stringValue(context.values, 'path');
      const files = await allPages(async (page) =>
        answer(await context.client.GET(`${recoveryPointPath}/volumes/{namespace}/{claim}/files`, { params: { path: { id, namespace, claim }, query: { ...(path ? { path } : {}), ...page } } })),
      );
      context.stdout.write(
        render(context.output, files, () =>
          table(['mode', 'type', 'size', 'modified', 'path'], files.map((f) => [f.mode, f.type, f.type === 'dir' ? '' : formatBytes(f.size), formatTime(f.modifiedAt), f.target ? `${f.path} -> ${f.target}` : f.path])),
        ),
      );
    },
  },
  {
    group: 'point',
    verb: 'download',
    usage: 'ID NAMESPACE/CLAIM PATH...',
    summary: 'Download files or directories of a copied PV as a tar archive',
    details: 'Writes a POSIX tar of the paths (each with what lies below it; `.` for the whole volume) to --file, default NAMESPACE-CLAIM.tar; `--file -` writes to standard output.',
    options: { file: { type: 'string', short: 'f', value: 'FILE', description: 'where to write the archive (- for standard output)' } },
    arity: { min: 3, max: 1000 },
    async run(context) {
      const [id, volume, ...paths] = context.arguments as [string, string, ...string[]];
      const { namespace, claim } = volumeOf(volume);
      const file = stringValue(context.values, 'file') ?? `${namespace}-${claim}.tar`;
      const result = await context.client.POST(`${recoveryPointPath}/volumes/{namespace}/{claim}/archive`, {
        params: { path: { id, namespace, claim } },
        body: { paths },
        parseAs: 'stream',
      });
      if (!result.response.ok || !result.data) answer(result);
      if (!result.data) throw new ApiProblem(result.response.status, undefined, 'no archive in the answer');
      const body = Readable.fromWeb(result.data as unknown as WebReadableStream);
      await pipeline(body, file === '-' ? context.stdout : createWriteStream(file));
      if (file !== '-') context.stderr.write(`wrote ${file}\n`);
    },
  },
];
