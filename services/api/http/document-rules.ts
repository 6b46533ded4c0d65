import { bodyIsOptional } from '../plugins/optional-bodies.js';
import { ETAG_PATTERN } from './versioning.js';

/**
 * What the server does that @fastify/swagger's conversion of route schemas leaves out of the OpenAPI
 * document. Each rule is derived from the routes' own declarations, so the document and the server
 * cannot drift apart: test/api/fuzz.test.ts sends schema-valid requests that must be accepted and
 * schema-violating ones that must be refused.
 */

type Schema = { [key: string]: unknown };
interface Parameter { name: string; in: string; required?: boolean; description?: string; schema: Schema }
interface Operation {
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, unknown>;
}

function operationsOf(document: object): Array<[method: string, operation: Operation]> {
  const paths = (document as { paths?: Record<string, Record<string, Operation>> }).paths ?? {};
  return Object.values(paths).flatMap((operations) => Object.entries(operations));
}

/** @fastify/swagger marks every request body required; those the server lets a client leave out are not. */
export function markOptionalBodies<T extends object>(document: T): T {
  for (const [method, operation] of operationsOf(document)) {
    const body = operation.requestBody;
    if (body && bodyIsOptional(method.toUpperCase(), body.content?.['application/json']?.schema)) body.required = false;
  }
  return document;
}

/**
 * A request property with a default may be left out: the validator fills it in (Ajv `useDefaults`). TypeBox
 * still lists it as required, which is right for responses (they always carry it) and wrong for requests.
 */
export function unrequireDefaults<T extends object>(document: T): T {
  for (const [, operation] of operationsOf(document)) {
    for (const media of Object.values(operation.requestBody?.content ?? {})) {
      if (media.schema) unrequireDefaultsIn(media.schema);
    }
    for (const parameter of operation.parameters ?? []) {
      if (parameter.schema.default !== undefined) parameter.required = false;
    }
  }
  return document;
}

/**
 * No text the API stores or searches may hold the NUL character (U+0000): Postgres cannot store it, and
 * plugins/database-errors.ts answers 400 when one arrives. Every free string a request carries says so.
 */
export function forbidNulInRequests<T extends object>(document: T): T {
  for (const [, operation] of operationsOf(document)) {
    for (const media of Object.values(operation.requestBody?.content ?? {})) {
      if (media.schema) forbidNulIn(media.schema);
    }
    for (const parameter of operation.parameters ?? []) forbidNulIn(parameter.schema);
  }
  return document;
}

const NO_NUL = { pattern: '\\x00' };

/** Calls `visit` on every schema object under `schema`, depth first, skipping the subtrees under `skip`. */
function eachSchemaNode(schema: unknown, visit: (node: Schema) => void, skip?: string): void {
  if (Array.isArray(schema)) {
    for (const item of schema) eachSchemaNode(item, visit, skip);
    return;
  }
  if (typeof schema !== 'object' || schema === null) return;
  const node = schema as Schema;
  visit(node);
  for (const [key, value] of Object.entries(node)) {
    if (key !== skip) eachSchemaNode(value, visit, skip);
  }
}

function forbidNulIn(schema: unknown): void {
  // The `not` it adds is not walked: its pattern is the rule itself.
  eachSchemaNode(
    schema,
    (node) => {
      const types = [node.type].flat();
      if (types.includes('string') && node.format === undefined && node.enum === undefined && node.const === undefined && node.not === undefined) {
        node.not = NO_NUL;
      }
    },
    'not',
  );
}

function unrequireDefaultsIn(schema: unknown): void {
  eachSchemaNode(schema, (node) => {
    const properties = node.properties as Record<string, Schema> | undefined;
    if (properties && Array.isArray(node.required)) {
      const required = (node.required as string[]).filter((name) => properties[name]?.default === undefined);
      if (required.length > 0) node.required = required;
      else delete node.required;
    }
  });
}

/**
 * Optimistic concurrency (http/versioning.ts) as the document states it: an operation that can answer 428
 * requires If-Match; one that can answer 412 without 428 checks it when sent.
 */
export function declareIfMatch<T extends object>(document: T): T {
  for (const [, operation] of operationsOf(document)) {
    const responses = operation.responses ?? {};
    if (!('412' in responses)) continue;
    const required = '428' in responses;
    (operation.parameters ??= []).push({
      name: 'If-Match',
      in: 'header',
      required,
      description: required
        ? 'The ETag you last read (428 without it, 412 when the record changed since).'
        : 'The ETag you last read: when sent, the change applies only if the record has not changed since (412 otherwise).',
      schema: { type: 'string', pattern: ETAG_PATTERN },
    });
  }
  return document;
}
