import { Type } from '@sinclair/typebox';
import type { Static, TSchema, TUnsafe } from '@sinclair/typebox';

/**
 * Building blocks reused by every resource schema, so a constraint (a Kubernetes name, a tag, an id)
 * is written once and reads the same in validation, types and the OpenAPI document.
 */

/**
 * `T` or null, written as OpenAPI 3.0 `nullable` rather than anyOf: Ajv then reports one clear error
 * ("must be >= 1") instead of one per branch.
 */
export function Nullable<T extends TSchema>(schema: T, options: { default?: null; description?: string } = {}): TUnsafe<Static<T> | null> {
  return Type.Unsafe<Static<T> | null>({ ...schema, nullable: true, ...options });
}

/** A closed set of strings as a JSON Schema `enum` (one clear error, one OpenAPI enum). */
export function StringEnum<const T extends readonly string[]>(values: T, options: { default?: T[number]; description?: string } = {}): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

/**
 * One of several object shapes told apart by a string property (OpenAPI discriminator). Ajv then
 * validates only the branch the tag selects, so errors and defaults are those of that branch.
 */
export function TaggedUnion<T extends TSchema[]>(propertyName: string, variants: [...T], options: { description?: string } = {}): TUnsafe<Static<T[number]>> {
  // Ajv applies `discriminator` to objects only, so without the object type and the required tag a
  // missing or non-object body would pass validation and reach the handler.
  return Type.Unsafe<Static<T[number]>>({ type: 'object', required: [propertyName], oneOf: variants, discriminator: { propertyName }, ...options });
}

/**
 * An object used as a map whose keys must match `key`. (TypeBox's Record drops a key's pattern, so
 * the key rule is stated as JSON Schema `propertyNames`.)
 */
export function KeyedRecord<V extends TSchema>(
  key: TSchema,
  value: V,
  options: { maxProperties?: number; default?: Record<string, never>; description?: string } = {},
) {
  const { $id: _id, ...keyRule } = key;
  return Type.Record(Type.String(), value, { ...options, propertyNames: keyRule });
}

export const Id = Type.String({ format: 'uuid', description: 'Server-assigned identifier (UUID).' });

/**
 * One line of text with no control characters and no space at either end. Written with explicit character
 * ranges, not `.`, `\\s` or `\\S`: those differ between regex dialects (JavaScript's `.` stops at \\r, Python's
 * `\\s` includes \\x1c), so a client checking the OpenAPI document's pattern would disagree with the server.
 */
export const SINGLE_LINE_TRIMMED = '^[^\\x00-\\x20\\x7f-\\xa0](?:[^\\x00-\\x1f\\x7f-\\x9f]*[^\\x00-\\x20\\x7f-\\xa0])?$';

export const Name = Type.String({
  minLength: 1,
  maxLength: 128,
  pattern: SINGLE_LINE_TRIMMED,
  description: 'Human-readable name, unique among records of the same kind in the organization; no control characters, no leading or trailing spaces.',
});

export const Description = Type.String({ maxLength: 1024, default: '' });

/** RFC 1123 label: what Kubernetes requires of namespace names. */
export const NamespaceName = Type.String({
  minLength: 1,
  maxLength: 63,
  pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$',
  description: 'A Kubernetes namespace name (RFC 1123 label).',
});

/** RFC 1123 subdomain: what Kubernetes requires of storage class names. */
export const StorageClassName = Type.String({
  minLength: 1,
  maxLength: 253,
  pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
  description: 'A Kubernetes storage class name.',
});

export const NamespaceList = Type.Array(NamespaceName, { maxItems: 1000, uniqueItems: true, default: [] });

/** Maps one storage class to another (keys and values are storage class names). */
export const StorageClassMap = KeyedRecord(StorageClassName, StorageClassName, { maxProperties: 200, default: {} });

export const Tags = KeyedRecord(
  Type.String({ minLength: 1, maxLength: 63, pattern: '^[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?$' }),
  Type.String({ maxLength: 256 }),
  { maxProperties: 50, default: {}, description: 'Free key-value pairs to find and group records by.' },
);

export const Timestamp = Type.String({ format: 'date-time' });

/** Fields the server sets on every editable record. */
export const RecordMeta = {
  id: Id,
  version: Type.Integer({ minimum: 1, description: 'Increments on every change; the ETag carries it. Send it back in If-Match.' }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
};

export const IdParams = Type.Object({ id: Id }, { additionalProperties: false });
export type IdParams = Static<typeof IdParams>;
