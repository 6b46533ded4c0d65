import { checkSafeLockedDefinitions } from '../../../../lib/run-start/destination-lookup.js';
import { Type } from '@sinclair/typebox';
import { Problem } from '../../../../lib/common/problem.js';
import type { ApiContext } from '../../context.js';
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

/** The caller's own organization, its preferences (the account default destination) and its payload key. */
export const organizationRoutes = (context: ApiContext): RoutePlugin => async (app) => {
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
        response: { 200: Organization, ...errorResponses('invalid-reference', 'unprocessable', 'precondition-required', 'version-mismatch') },
      },
    },
    async (request, reply) => {
      const version = expectedVersion(request, true) as number;
      const row = await request.tenant.transaction(async (scope) => {
        const defaultStorageTargetId = request.body.preferences?.defaultStorageTargetId ?? null;
        if (defaultStorageTargetId) {
          await requireReference(scope, storageTargets, defaultStorageTargetId, 'body.preferences.defaultStorageTargetId', 'storage target');
        }
        const updated = await scope.updateOrganization(version, { name: request.body.name, defaultStorageTargetId });
        await checkSafeLockedDefinitions(scope, {}, 'body.preferences.defaultStorageTargetId');
        return updated;
      });
      setEtag(reply, row);
      return toApi(row);
    },
  );

  app.post(
    '/organization/payload-keys/rotate',
    {
      config: { requiredRole: 'admin' },
      schema: {
        tags,
        operationId: 'rotatePayloadKey',
        summary: 'Start sealing this organization\'s Temporal payloads with a new key; older payloads stay readable',
        body: Type.Optional(Type.Object({}, { additionalProperties: false })),
        response: { 200: Type.Object({ keyId: Type.String({ description: 'The new key\'s id, as payloads name it (`org.<organization>.<version>`).' }) }), ...errorResponses('workflows-unavailable') },
      },
    },
    async (request) => {
      if (!context.payloadKeys) throw new Problem('workflows-unavailable', 'HAVEN_PAYLOAD_KEY is not configured for the API, so it holds no payload keys to rotate');
      return { keyId: await context.payloadKeys.rotate(request.principal.orgId) };
    },
  );
};
