import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

export const API_VERSION = '0.1.0';

/** Registers the OpenAPI generator (from route schemas), GET /openapi.json and the UI at /docs. */
export async function installOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Haven control-plane API',
        version: API_VERSION,
        description:
          'Records clusters, storage, policies, hooks and backup, replication and restore definitions, and reads jobs and ' +
          'recovery points. Errors are RFC 9457 application/problem+json. Changes to an existing record need the ' +
          'ETag you last read in If-Match.',
      },
      components: {
        securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An API key, shown once at creation.' } },
      },
      security: [{ apiKey: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
