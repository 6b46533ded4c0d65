import { isDeepStrictEqual } from 'node:util';

type Schema = Record<string, unknown>;
interface Document {
  paths?: Record<string, Record<string, { operationId?: string } & Record<string, unknown>>>;
  components?: { schemas?: Record<string, unknown> } & Record<string, unknown>;
}

/**
 * An OpenAPI discriminator can only select `oneOf` members that are `$ref`s to named schemas: with inline
 * members a generated client gets one loose type instead of one per kind. Route schemas stay inline (one
 * TypeBox declaration drives validation too), so the document moves each member of a discriminated
 * union into components.schemas, named after the operation and the member's tag value, and maps the tag
 * to it. Members identical to one already moved (the same body on create and update) share its name.
 */
export function nameDiscriminatedMembers<T extends object>(openapi: T): T {
  const document = openapi as Document;
  const components = (document.components ??= {});
  const schemas = (components.schemas ??= {});
  for (const operations of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(operations)) {
      if (typeof operation !== 'object' || operation === null) continue;
      const id = operation.operationId ?? 'schema';
      const prefix = id.charAt(0).toUpperCase() + id.slice(1);
      visit(operation, (union, where) => hoist(union, `${prefix}${where}`, schemas));
    }
  }
  return openapi;
}

/** Calls `found` on each discriminated union under `node`, with a name for where it sits (Body, Response200…). */
function visit(node: unknown, found: (union: Schema, where: string) => void, where = ''): void {
  if (Array.isArray(node)) {
    for (const item of node) visit(item, found, where);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const schema = node as Schema;
  if (schema.discriminator && Array.isArray(schema.oneOf)) found(schema, where || 'Body');
  for (const [key, value] of Object.entries(schema)) {
    const next = key === 'requestBody' ? 'Body' : /^\d{3}$/.test(key) ? `Response${key}` : where;
    visit(value, found, next);
  }
}

function hoist(union: Schema, baseName: string, schemas: Record<string, unknown>): void {
  const { propertyName } = union.discriminator as { propertyName: string };
  const mapping: Record<string, string> = {};
  union.oneOf = (union.oneOf as Schema[]).map((member) => {
    if (typeof member.$ref === 'string') return member;
    const tag = tagValue(member, propertyName);
    if (tag === undefined) return member;
    const name = nameFor(member, `${baseName}${pascal(tag)}`, schemas);
    const ref = `#/components/schemas/${name}`;
    mapping[tag] = ref;
    return { $ref: ref };
  });
  if (Object.keys(mapping).length > 0) union.discriminator = { propertyName, mapping };
}

function tagValue(member: Schema, propertyName: string): string | undefined {
  const property = (member.properties as Record<string, Schema> | undefined)?.[propertyName];
  if (!property) return undefined;
  if (typeof property.const === 'string') return property.const;
  const values = property.enum;
  return Array.isArray(values) && values.length === 1 && typeof values[0] === 'string' ? values[0] : undefined;
}

/** The name under which `member` is stored: an existing identical schema's, else `wanted` (made unique). */
function nameFor(member: Schema, wanted: string, schemas: Record<string, unknown>): string {
  for (const [name, existing] of Object.entries(schemas)) {
    if (isDeepStrictEqual(existing, member)) return name;
  }
  let name = wanted;
  for (let n = 2; name in schemas; n++) name = `${wanted}${n}`;
  schemas[name] = member;
  return name;
}

function pascal(text: string): string {
  return text
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1).toLowerCase())
    .join('');
}
