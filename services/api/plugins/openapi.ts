import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { nameDiscriminatedMembers } from '../http/discriminated-components.js';
import { declareIfMatch, forbidNulInRequests, markOptionalBodies, unrequireDefaults } from '../http/document-rules.js';
import { deriveOperationId } from '../http/operation-ids.js';

export const API_VERSION = '0.1.0';

/** Registers the OpenAPI generator (from route schemas), GET /openapi.json and the UI at /docs. */
export async function installOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      // 3.1: its schemas are JSON Schema 2020-12, so map key rules (`propertyNames`) and `null` types are legal.
      openapi: '3.1.0',
      info: {
        title: 'Haven control-plane API',
        version: API_VERSION,
        description:
          'Records clusters, storage, policies, hooks and backup, replication and restore definitions, and reads jobs and ' +
          'recovery points. Errors are RFC 9457 application/problem+json. Changes to an existing record need the ' +
          'ETag you last read in If-Match.',
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      },
      // Relative: the document is served by the API it describes, wherever that is reached.
      servers: [{ url: '/' }],
      components: {
        securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An API key, shown once at creation.' } },
      },
      security: [{ apiKey: [] }],
    },
    transform: ({ schema, url, route }) => {
      const method = [route.method].flat()[0]!;
      // Hidden routes and Fastify's automatic HEAD twins of GET routes are not in the document.
      if (schema?.hide || method === 'HEAD') return { schema, url };
      return { schema: { ...schema, operationId: schema?.operationId ?? deriveOperationId(method, url) }, url };
    },
    transformObject: (document) => {
      if (!('openapiObject' in document)) return document.swaggerObject;
      // Rules the route schemas imply but @fastify/swagger cannot say (document-rules.ts), then names for union members.
      const stated = declareIfMatch(markOptionalBodies(unrequireDefaults(document.openapiObject)));
      return nameDiscriminatedMembers(forbidNulInRequests(stated));
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
