import type { FastifyInstance, FastifyRequest, preValidationAsyncHookHandler } from 'fastify';

/**
 * A POST whose body requires nothing (an action's options: run, rotate, preview) may be sent without a body, which
 * means `{}`: clients call `POST …/actions/run` bare, as they would any action. A body that requires
 * something stays required, so a bodiless create is a 400 naming the body, never a 500.
 * The OpenAPI document marks exactly these request bodies optional (http/document-rules.ts), by the same rule.
 */
export function bodyIsOptional(method: string | readonly string[], body: unknown): boolean {
  if (![method].flat().includes('POST') || typeof body !== 'object' || body === null) return false;
  const schema = body as { type?: unknown; required?: unknown; properties?: Record<string, { default?: unknown }> };
  // A required property with a default is filled in by the validator (Ajv useDefaults): it requires nothing.
  const required = Array.isArray(schema.required) ? (schema.required as string[]).filter((name) => schema.properties?.[name]?.default === undefined) : [];
  return schema.type === 'object' && required.length === 0 && !('oneOf' in schema || 'anyOf' in schema || 'allOf' in schema);
}

const absentBodyIsEmpty: preValidationAsyncHookHandler = async (request) => {
  // Only a missing body: a JSON `null` is a body, and the schema refuses it.
  if (request.body === undefined) request.body = {};
};

/** Must be installed before the routes it applies to are declared (an onRoute hook). */
export function installOptionalBodies(app: FastifyInstance): void {
  // An empty body sent as application/json is no body, not malformed JSON; the body schema then decides.
  // Fastify's own parser (prototype-poisoning checks included) is the callback kind its type also allows.
  const parseJson = app.getDefaultJsonParser('error', 'error') as (request: FastifyRequest, body: string, done: (error: Error | null, body?: unknown) => void) => void;
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') {
      done(null, undefined);
      return;
    }
    parseJson(request, body as string, done);
  });
  app.addHook('onRoute', (route) => {
    if (!bodyIsOptional(route.method, route.schema?.body)) return;
    route.preValidation = [...[route.preValidation ?? []].flat(), absentBodyIsEmpty];
  });
}
