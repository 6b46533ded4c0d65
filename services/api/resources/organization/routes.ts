import type { RoutePlugin } from '../../http/type-provider.js';
import type { organizations } from '../../../../lib/db/schema/index.js';
import { storageTargets } from '../../../../lib/db/schema/index.js';
import { errorResponses } from '../../http/problem-schema.js';
import { expectedVersion, setEtag } from '../../http/versioning.js';
import { requireReference } from '../references.js';
import { Organization, OrganizationInput } from './schema.js';

const tags = ['organization'];

function toApi(row: typeof organizations.$inferSelect): Organization {
  return {
    id: row.id,
    name: row.name,
    preferences: { defaultStorageTargetId: row.defaultStorageTargetId },
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** The caller's own organization and its preferences (the account default destination). */
export const organizationRoutes: RoutePlugin = async (app) => {
  app.get(
    '/organization',
    { schema: { tags, summary: 'Read the organization and its preferences', response: { 200: Organization, ...errorResponses() } } },
    async (request, reply) => {
      const row = await request.tenant.organization();
      setEtag(reply, row);
      return toApi(row);
    },
  );

  app.put(
    '/organization',
    {
      config: { requiredRole: 'admin' },
      schema: {
        tags,
        summary: 'Rename the organization or change its preferences',
        body: OrganizationInput,
        response: { 200: Organization, ...errorResponses('invalid-reference', 'precondition-required', 'version-mismatch') },
      },
    },
    async (request, reply) => {
      const version = expectedVersion(request, true) as number;
      const row = await request.tenant.transaction(async (scope) => {
        const defaultStorageTargetId = request.body.preferences?.defaultStorageTargetId ?? null;
        if (defaultStorageTargetId) {
          await requireReference(scope, storageTargets, defaultStorageTargetId, 'body.preferences.defaultStorageTargetId', 'storage target');
        }
        return scope.updateOrganization(version, { name: request.body.name, defaultStorageTargetId });
      });
      setEtag(reply, row);
      return toApi(row);
    },
  );
};
