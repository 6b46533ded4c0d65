import { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import { fieldProblem, Problem } from '../../../../lib/common/problem.js';
import { snapshotArchive } from '../../../../lib/datamover/browse/snapshot-archive.js';
import type { SnapshotBrowser } from '../../../../lib/datamover/browse/snapshot-browser.js';
import { recoveryPoints, storageTargets } from '../../../../lib/db/schema/index.js';
import type { TenantScope } from '../../../../lib/db/tenant-scope.js';
import { IdParams } from '../../../../lib/domain/schema-kit.js';
import { VOLUME_ROOT, volumePathProblem } from '../../../../lib/domain/volume-paths.js';
import type { ApiContext } from '../../context.js';
import { Page } from '../../http/pagination.js';
import { errorResponses } from '../../http/problem-schema.js';
import type { RoutePlugin } from '../../http/type-provider.js';
import { ArchiveRequest, FileListQuery, PointResource, PointResourceDocument, ResourceListQuery, ResourceParams, ResourceQuery, VolumeFile, VolumeParams } from './browse-schema.js';
import { openPointSnapshot, repositoryProblem } from './point-repository.js';
import { readResourceIndex, readResourceYaml, resourcesSnapshotOf, toPointResource, toVolumeFile, volumeSnapshotOf } from './point-contents.js';

const tags = ['recovery-points'];
const what = 'recovery point';
/** Reading a point's repository can fail on the tenant's storage: 502, besides the route's own codes. */
const BROWSE_ERRORS = ['not-found', 'unprocessable', 'storage-unavailable'] as const;

/** Page cursors here are positions (how many matching items came before): the snapshot never changes. */
function position(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  if (!/^[0-9]{1,9}$/.test(cursor)) throw fieldProblem('querystring.cursor', 'not a cursor returned by this API');
  return Number(cursor);
}

function checkPath(path: string, field: string): void {
  const reason = volumePathProblem(path);
  if (reason) throw fieldProblem(field, reason, 'validation-failed');
}

/**
 * Browsing a recovery point: its resources (with their YAML) and its copied PVs' files, read from the
 * storage target's repository by this process without restoring anything; a tar download of chosen
 * paths. The repository secret is decrypted here and handed to no cluster.
 */
export function recoveryPointBrowseRoutes(context: ApiContext): RoutePlugin {
  const reach = { keyring: context.keyring, policy: context.storageAccess };

  async function open(scope: TenantScope, id: string, snapshotOf: (point: typeof recoveryPoints.$inferSelect) => string): Promise<{ browser: SnapshotBrowser; targetId: string }> {
    const point = await scope.get(recoveryPoints, id, what);
    if (!point.storageTargetId) throw new Problem('unprocessable', `recovery point ${id} is an RDS snapshot held by AWS: it has no contents to browse`);
    const snapshotId = snapshotOf(point);
    const target = await scope.get(storageTargets, point.storageTargetId, 'storage target');
    return { browser: await openPointSnapshot(reach, target, snapshotId), targetId: target.id };
  }

  /** Reads after opening fail as opening does: the storage's failure is a 502, not the API's 500. */
  async function reading<T>(targetId: string, read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (error) {
      throw repositoryProblem(error, targetId);
    }
  }

  return async (app) => {
    app.get(
      '/recovery-points/:id/resources',
      {
        schema: {
          tags,
          summary: 'List the resources a recovery point holds, by type and namespace',
          description: 'Read from the storage target\'s repository, in the order the backup recorded them. 502 storage-unavailable when the storage cannot be read.',
          params: IdParams,
          querystring: ResourceListQuery,
          response: { 200: Page(PointResource), ...errorResponses(...BROWSE_ERRORS) },
        },
      },
      async (request) => {
        const { limit, cursor, type, namespace } = request.query;
        const skip = position(cursor);
        const { browser, targetId } = await open(request.tenant, request.params.id, resourcesSnapshotOf);
        const index = await reading(targetId, () => readResourceIndex(browser));
        const matching = index.filter((entry) => (!type || entry.typeId === type) && (!namespace || entry.namespace === namespace));
        const items = matching.slice(skip, skip + limit).map(toPointResource);
        return { items, nextCursor: skip + limit < matching.length ? String(skip + limit) : null };
      },
    );

    app.get(
      '/recovery-points/:id/resources/:type/:name',
      {
        // An object's YAML may be a Secret's data: viewers see names, operators (who can restore them anyway) contents.
        config: { requiredRole: 'operator' },
        schema: {
          tags,
          summary: 'Read one resource of a recovery point, as YAML (operator: it may be a Secret)',
          params: ResourceParams,
          querystring: ResourceQuery,
          response: { 200: PointResourceDocument, ...errorResponses(...BROWSE_ERRORS) },
        },
      },
      async (request) => {
        const { type, name } = request.params;
        const namespace = request.query.namespace;
        const { browser, targetId } = await open(request.tenant, request.params.id, resourcesSnapshotOf);
        const index = await reading(targetId, () => readResourceIndex(browser));
        const entry = index.find((e) => e.typeId === type && e.name === name && (e.namespace ?? undefined) === namespace);
        if (!entry) throw new Problem('not-found', `recovery point ${request.params.id} holds no ${type} ${namespace ? `${namespace}/` : ''}${name}`);
        return { ...toPointResource(entry), yaml: await reading(targetId, () => readResourceYaml(browser, entry)) };
      },
    );

    app.get(
      '/recovery-points/:id/volumes/:namespace/:claim/files',
      {
        schema: {
          tags,
          summary: 'List the files of a PV a recovery point copied, with sizes and modes',
          description:
            'The PV\'s tree in walk order (a directory, then what it holds, by name), from `path` down. Only copied PVs have their files in storage: ' +
            'one kept as a CSI snapshot is a 409. 502 storage-unavailable when the storage cannot be read.',
          params: VolumeParams,
          querystring: FileListQuery,
          response: { 200: Page(VolumeFile), ...errorResponses(...BROWSE_ERRORS, 'conflict') },
        },
      },
      async (request) => {
        const { limit, cursor, path = VOLUME_ROOT } = request.query;
        checkPath(path, 'querystring.path');
        const skip = position(cursor);
        const { namespace, claim } = request.params;
        const { browser, targetId } = await open(request.tenant, request.params.id, (point) => volumeSnapshotOf(point, namespace, claim));
        const page = await reading(targetId, () => browser.page(path, skip, limit));
        return { items: page.entries.map(toVolumeFile), nextCursor: page.next === undefined ? null : String(page.next) };
      },
    );

    app.post(
      '/recovery-points/:id/volumes/:namespace/:claim/archive',
      {
        // File contents, like a resource's YAML, are for operators.
        config: { requiredRole: 'operator' },
        schema: {
          tags,
          summary: 'Download files of a copied PV as a tar archive (operator)',
          description:
            'A POSIX tar of the given paths and everything below them, streamed as it is read from the repository (every chunk verified). ' +
            'Devices, FIFOs and sockets are left out. The archive\'s end is two zero blocks: a download that stops before them was cut by a read failure. ' +
            '502 storage-unavailable when the storage cannot be opened.',
          params: VolumeParams,
          body: ArchiveRequest,
          response: {
            200: { description: 'The tar archive.', content: { 'application/x-tar': { schema: Type.Unsafe<Readable>({ type: 'string', format: 'binary' }) } } },
            ...errorResponses(...BROWSE_ERRORS, 'conflict', 'payload-too-large'),
          },
        },
      },
      async (request, reply) => {
        for (const [index, path] of request.body.paths.entries()) checkPath(path, `body.paths.${index}`);
        const { namespace, claim } = request.params;
        const { browser, targetId } = await open(request.tenant, request.params.id, (point) => volumeSnapshotOf(point, namespace, claim));
        const missing = [];
        for (const [index, path] of request.body.paths.entries()) if (!(await reading(targetId, () => browser.entry(path)))) missing.push(index);
        if (missing.length > 0) {
          throw new Problem('not-found', `the PV of claim ${namespace}/${claim} holds no ${missing.map((i) => request.body.paths[i]).join(', ')}`, {
            errors: missing.map((i) => ({ field: `body.paths.${i}`, reason: 'not in the PV\'s copy' })),
          });
        }
        const stream = Readable.from(snapshotArchive(browser, request.body.paths), { objectMode: false });
        stream.on('error', (error) => request.log.warn({ err: error, recoveryPointId: request.params.id }, 'archive download stopped by a read failure'));
        return reply.type('application/x-tar').header('content-disposition', `attachment; filename="${namespace}-${claim}.tar"`).send(stream);
      },
    );
  };
}
