import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { asc, eq } from 'drizzle-orm';
import { Problem } from '../../../lib/common/problem.js';
import { generateSecretToken, hashSecretToken } from '../../../lib/common/secret-tokens.js';
import { organizations } from '../../../lib/db/schema/index.js';
import { createOrganizationWithKey } from '../auth/bootstrap.js';
import type { ApiContext } from '../context.js';
import { errorResponses } from '../http/problem-schema.js';
import type { TypeBoxProvider } from '../http/type-provider.js';
import { CreatedOrganization, NewOrganization, OrganizationList } from './schema.js';

export const INSTALLATION_PREFIX = '/installation';
const tags = ['installation'];

/**
 * The installation's own administration: organizations and their first admin. An organization's API
 * keys, whatever their role, reach nothing here; the installation admin key (HAVEN_INSTALLATION_ADMIN_KEY)
 * reaches nothing else, so running Haven for many tenants does not make its operator a member of each.
 */
export function installationRoutes(context: ApiContext) {
  const installationAdminKey = context.installationAdminKey;
  const expected = installationAdminKey ? Buffer.from(hashSecretToken(installationAdminKey), 'hex') : undefined;
  return async (scope: FastifyInstance) => {
    const app = scope.withTypeProvider<TypeBoxProvider>();
    app.addHook('onRequest', async (request) => {
      if (!expected) throw new Problem('forbidden', 'installation administration is off: HAVEN_INSTALLATION_ADMIN_KEY is not set');
      const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
      if (!match) throw new Problem('unauthenticated', 'send "Authorization: Bearer <installation admin key>"');
      const given = Buffer.from(hashSecretToken(match[1]!), 'hex');
      if (!timingSafeEqual(given, expected)) throw new Problem('forbidden', 'this needs the installation admin key (HAVEN_INSTALLATION_ADMIN_KEY); organization API keys cannot administer the installation');
    });

    app.get(
      '/organizations',
      { schema: { tags, summary: 'List every organization of the installation', response: { 200: OrganizationList, ...errorResponses('forbidden') } } },
      async () => {
        const rows = await context.db.select().from(organizations).orderBy(asc(organizations.createdAt), asc(organizations.id));
        return { items: rows.map((row) => ({ id: row.id, name: row.name, createdAt: row.createdAt.toISOString() })) };
      },
    );

    app.post(
      '/organizations',
      {
        schema: {
          tags,
          summary: 'Create an organization with its first admin user and that admin\'s API key (shown once)',
          body: NewOrganization,
          response: { 201: CreatedOrganization, ...errorResponses('forbidden') },
        },
      },
      async (request, reply) => {
        const apiKey = generateSecretToken();
        const { name, admin } = request.body;
        const created = await context.db.transaction((tx) =>
          createOrganizationWithKey(tx, { organizationName: name, keyName: 'first admin', key: apiKey, role: 'admin', userEmail: admin.email, userDisplayName: admin.displayName }),
        );
        const [row] = await context.db.select().from(organizations).where(eq(organizations.id, created.orgId));
        reply.code(201);
        return {
          id: created.orgId,
          name,
          createdAt: row!.createdAt.toISOString(),
          admin: { userId: created.userId, email: admin.email, displayName: admin.displayName, apiKeyId: created.apiKeyId, apiKey },
        };
      },
    );
  };
}
