import { checkSafeLockedDefinitions } from '../../../../lib/run-start/destination-lookup.js';
import { Type } from '@sinclair/typebox';
import { eq } from 'drizzle-orm';
import { storageTargets } from '../../../../lib/db/schema/index.js';
import { STORAGE_TARGET_KINDS } from '../../../../lib/common/enums.js';
import type { ApiContext } from '../../context.js';
import { containsText, NameFilter } from '../../http/filters.js';
import { Page, PageQuery } from '../../http/pagination.js';
import { errorResponses } from '../../http/problem-schema.js';
import { IdParams, StringEnum } from '../../../../lib/domain/schema-kit.js';
import type { RoutePlugin } from '../../http/type-provider.js';
import { expectedVersion, setEtag } from '../../http/versioning.js';
import { referencesToStorageTarget, refuseWhileReferenced } from '../references.js';
import { StorageTarget, StorageTargetCreate, StorageTargetUpdate } from './schema.js';
import { createStorageTarget, toApi, updateStorageTarget } from './store.js';
import { syncVerificationSchedule } from './verification-store.js';

const tags = ['storage-targets'];
// Storage targets hold credentials: only admins change them.
const admin = { requiredRole: 'admin' as const };
const what = 'storage target';

export function storageTargetRoutes(context: ApiContext): RoutePlugin {
  const targetChecks = { probe: context.storageProbe, filesystemRoot: context.filesystemRoot };
  return async (app) => {
    app.get(
      '/storage-targets',
      {
        schema: {
          tags,
          summary: 'List storage targets',
          querystring: Type.Object({ ...PageQuery, ...NameFilter, kind: Type.Optional(StringEnum(STORAGE_TARGET_KINDS)) }, { additionalProperties: false }),
          response: { 200: Page(StorageTarget), ...errorResponses('unprocessable') },
        },
      },
      async (request) => {
        const { limit, cursor, name, kind } = request.query;
        const page = await request.tenant.list(storageTargets, {
          limit,
          cursor,
          sort: { column: storageTargets.createdAt, field: 'createdAt' },
          filters: [containsText(storageTargets.name, name), kind ? eq(storageTargets.kind, kind) : undefined],
        });
        return { items: page.rows.map(toApi), nextCursor: page.nextCursor };
      },
    );

    app.get(
      '/storage-targets/:id',
      { schema: { tags, summary: 'Read a storage target', params: IdParams, response: { 200: StorageTarget, ...errorResponses('not-found') } } },
      async (request, reply) => {
        const row = await request.tenant.get(storageTargets, request.params.id, what);
        setEtag(reply, row);
        return toApi(row);
      },
    );

    app.post(
      '/storage-targets',
      {
        config: admin,
        schema: {
          tags,
          summary: 'Add an S3 or filesystem storage target (an S3 bucket is probed first: reachable, credentials accepted, Object Lock)',
          body: StorageTargetCreate,
          response: { 201: StorageTarget, ...errorResponses('name-taken', 'unprocessable', 'engine-unavailable') },
        },
      },
      async (request, reply) => {
        const row = await request.tenant.transaction(async (scope) => {
          const created = await createStorageTarget(scope, context.keyring, targetChecks, request.body);
          // A new target has no Schedule yet: with verification off there is nothing to make or remove.
          if (created.verification.enabled) await syncVerificationSchedule(context.launcher, created);
          return created;
        });
        setEtag(reply, row);
        reply.code(201).header('location', `${request.url}/${row.id}`);
        return toApi(row);
      },
    );

    app.put(
      '/storage-targets/:id',
      {
        config: admin,
        schema: {
          tags,
          summary: 'Replace a storage target (omit credentials to keep the stored ones)',
          params: IdParams,
          body: StorageTargetUpdate,
          response: { 200: StorageTarget, ...errorResponses('not-found', 'name-taken', 'precondition-required', 'version-mismatch', 'unprocessable', 'engine-unavailable') },
        },
      },
      async (request, reply) => {
        const version = expectedVersion(request, true) as number;
        const row = await request.tenant.transaction(async (scope) => {
          const updated = await updateStorageTarget(scope, context.keyring, targetChecks, request.params.id, version, request.body);
          await checkSafeLockedDefinitions(scope, {}, 'body.objectLockCapable');
          await syncVerificationSchedule(context.launcher, updated);
          return updated;
        });
        setEtag(reply, row);
        return toApi(row);
      },
    );

    app.delete(
      '/storage-targets/:id',
      {
        config: admin,
        schema: {
          tags,
          summary: 'Delete a storage target that nothing uses',
          params: IdParams,
          response: { 204: Type.Null(), ...errorResponses('not-found', 'still-referenced', 'version-mismatch', 'engine-unavailable') },
        },
      },
      async (request, reply) => {
        await request.tenant.transaction(async (scope) => {
          const target = await scope.getForUpdate(storageTargets, request.params.id, what);
          refuseWhileReferenced(`storage target ${request.params.id}`, await referencesToStorageTarget(scope, request.params.id));
          await scope.delete(storageTargets, request.params.id, expectedVersion(request, false), what);
          await syncVerificationSchedule(context.launcher, target, true);
        });
        return reply.code(204).send(null);
      },
    );
  };
}
