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
}

interface OpenApiDocument {
  paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: JsonSchema }> } }>>;
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

/** The JSON body schema of one operation, e.g. ('/api/v1/backup-definitions', 'post'). */
export async function requestSchema(path: string, method: string): Promise<JsonSchema> {
  const schema = (await openApiDocument()).paths[path]?.[method]?.requestBody?.content['application/json']?.schema;
  if (!schema) throw new Error(`the API's document has no JSON body for ${method.toUpperCase()} ${path}`);
  return schema;
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
