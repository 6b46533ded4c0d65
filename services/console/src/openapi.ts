import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/** A JSON schema as the API's OpenAPI document holds it (TypeBox output, no $ref in request bodies). */
export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
  format?: string;
  examples?: unknown[];
  /** A tagged union (e.g. a cloud account's keys or role): `discriminator.propertyName` picks the variant. */
  oneOf?: JsonSchema[];
  discriminator?: { propertyName: string };
  $ref?: string;
}

interface OpenApiDocument {
  paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: JsonSchema }> } }>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

let documentPromise: Promise<OpenApiDocument> | undefined;

/** The document the API serves: the one source of every option, default and range the wizards show. */
export function openApiDocument(): Promise<OpenApiDocument> {
  documentPromise ??= fetch('/openapi.json').then(async (response) => {
    if (!response.ok) throw new Error(`GET /openapi.json answered ${response.status}`);
    return (await response.json()) as OpenApiDocument;
  });
  return documentPromise;
}

const REF_PREFIX = '#/components/schemas/';

/** The schema with every `$ref` to the document's components replaced by what it names (they do not nest cyclically). */
function dereference(schema: unknown, components: Record<string, JsonSchema>): unknown {
  if (Array.isArray(schema)) return schema.map((item) => dereference(item, components));
  if (!schema || typeof schema !== 'object') return schema;
  const ref = (schema as JsonSchema).$ref;
  if (ref?.startsWith(REF_PREFIX)) return dereference(components[ref.slice(REF_PREFIX.length)], components);
  return Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, dereference(value, components)]));
}

const bodies = new Map<string, JsonSchema>();

/** The JSON body schema of one operation, e.g. ('/api/v1/backup-definitions', 'post'), with its references resolved. */
export async function requestSchema(path: string, method: string): Promise<JsonSchema> {
  const document = await openApiDocument();
  const key = `${method} ${path}`;
  const found = bodies.get(key) ?? document.paths[path]?.[method]?.requestBody?.content['application/json']?.schema;
  if (!found) throw new Error(`the API's document has no JSON body for ${method.toUpperCase()} ${path}`);
  // One object per operation, so the compiled validator (keyed by it) is reused.
  const schema = bodies.get(key) ?? (dereference(found, document.components?.schemas ?? {}) as JsonSchema);
  bodies.set(key, schema);
  return schema;
}

/**
 * What a record read from the API holds of an operation's body: the fields the body schema has, recursively
 * (server-managed ones such as id, version and paused dropped). An edit form starts from it.
 */
export function projectOnto(schema: JsonSchema, value: unknown): Record<string, unknown> {
  const record = (value ?? {}) as Record<string, unknown>;
  const projected: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(schema.properties ?? {})) {
    const item = record[name];
    if (item === undefined) continue;
    const isObject = item !== null && typeof item === 'object' && !Array.isArray(item);
    projected[name] = isObject && field.properties ? projectOnto(field, item) : item;
  }
  return projected;
}

// Not strict: the document carries OpenAPI annotations (examples, descriptions) ajv's strict mode rejects.
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const compiled = new WeakMap<JsonSchema, ValidateFunction>();

export interface FieldError {
  /** Dotted path of the field, as the API's problem documents name them after `body.`. */
  field: string;
  reason: string;
}

/** Checks a body against its schema with the same rules the API applies; empty when valid. */
export function validate(schema: JsonSchema, body: unknown): FieldError[] {
  let check = compiled.get(schema);
  if (!check) {
    check = ajv.compile(schema);
    compiled.set(schema, check);
  }
  if (check(body)) return [];
  return (check.errors ?? []).filter((e) => e.keyword !== 'not').map(fieldError);
}

function fieldError(error: ErrorObject): FieldError {
  const base = error.instancePath.split('/').filter(Boolean).join('.');
  const missing = error.keyword === 'required' ? (error.params as { missingProperty: string }).missingProperty : undefined;
  return { field: missing ? [base, missing].filter(Boolean).join('.') : base, reason: error.message ?? error.keyword };
}
