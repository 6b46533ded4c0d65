import { Ajv } from 'ajv';
import type { ErrorObject, Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import type { FieldError } from '../../../lib/common/problem.js';

// ajv-formats ships CommonJS; under NodeNext its default import is the module object.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

const SHARED: Options = {
  allErrors: true,
  useDefaults: true,
  removeAdditional: false,
  discriminator: true,
  // `nullable` is the OpenAPI 3.0 keyword our schemas use; unknown annotation keywords are allowed.
  strict: false,
};

/**
 * Bodies are validated strictly (a string "5" is not the number 5); path and query parameters
 * arrive as strings, so they are coerced. Unknown properties are rejected, never silently dropped.
 */
export function installValidators(app: FastifyInstance): void {
  const bodyAjv = addFormats(new Ajv({ ...SHARED, coerceTypes: false }));
  const parameterAjv = addFormats(new Ajv({ ...SHARED, coerceTypes: 'array' }));
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? bodyAjv : parameterAjv).compile(schema as object),
  );
}

/** Ajv errors as `{field, reason}` with one entry per field, in request order. */
export function toFieldErrors(errors: readonly ErrorObject[], part: string): FieldError[] {
  const byField = new Map<string, string[]>();
  for (const error of errors) {
    // Summary errors repeat what the specific error beside them says.
    if (['anyOf', 'oneOf', 'if', 'propertyNames'].includes(error.keyword)) continue;
    const field = fieldOf(error, part);
    const reasons = byField.get(field) ?? [];
    const reason = reasonOf(error);
    if (!reasons.includes(reason)) reasons.push(reason);
    byField.set(field, reasons);
  }
  if (byField.size === 0 && errors[0]) byField.set(fieldOf(errors[0], part), [reasonOf(errors[0])]);
  return [...byField].map(([field, reasons]) => ({ field, reason: reasons.join('; ') }));
}

function fieldOf(error: ErrorObject, part: string): string {
  const segments = error.instancePath
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required') segments.push(String(params.missingProperty));
  if (error.keyword === 'additionalProperties') segments.push(String(params.additionalProperty));
  if (error.propertyName !== undefined) segments.push(error.propertyName);
  return [part, ...segments].join('.');
}

function reasonOf(error: ErrorObject): string {
  // An error about a map key (propertyNames) rather than its value.
  if (error.propertyName !== undefined) return `key ${error.message ?? 'is invalid'}`;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return 'is required';
    case 'additionalProperties':
      return 'is not a known property';
    case 'enum':
      return `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify(params.allowedValue)}`;
    default:
      return error.message ?? 'is invalid';
  }
}
