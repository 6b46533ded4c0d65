import { randomUUID } from 'node:crypto';
import type { Attempt } from './tenant-matrix.js';

/**
 * What the tenant matrix reads from /openapi.json, so a new operation, id filter or list is covered the
 * moment the document declares it, and how it compares answers.
 */
export interface ApiDocument {
  paths: Record<string, Record<string, { parameters?: Parameter[] }>>;
}

interface Parameter {
  in: string;
  name: string;
  schema?: { format?: string };
}

/** Every operation, as `METHOD /path`. */
export function operationsOf(document: ApiDocument): string[] {
  return Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`));
}

function queryParameters(document: ApiDocument, operation: string): Parameter[] {
  const [method, path] = operation.split(' ') as [string, string];
  return (document.paths[path]?.[method.toLowerCase()]?.parameters ?? []).filter((parameter) => parameter.in === 'query');
}

/** The operation's query parameters declared as ids (format uuid). */
export function idQueryParameters(document: ApiDocument, operation: string): string[] {
  return queryParameters(document, operation).filter((parameter) => parameter.schema?.format === 'uuid').map((parameter) => parameter.name);
}

/** The lists: operations that take a cursor. */
export function pagedLists(document: ApiDocument): string[] {
  // A list under a record (`/storage-targets/{id}/verifications`) is reached only through that record's id,
  // which its matrix row proves B is refused (404); its cursor is then only ever used on B's own record.
  return operationsOf(document).filter(
    (operation) => !operation.includes('{') && queryParameters(document, operation).some((parameter) => parameter.name === 'cursor'),
  );
}

/** The same attempt with each of `ids` it carries swapped for an id that never existed; undefined when it carries none. */
export function withNeverExistingIds(attempt: Attempt, ids: string[]): Attempt | undefined {
  const text = JSON.stringify(attempt);
  const present = ids.filter((id) => text.includes(id));
  if (present.length === 0) return undefined;
  return JSON.parse(present.reduce((swapped, id) => swapped.replaceAll(id, randomUUID()), text)) as Attempt;
}

/** What an answer tells the caller, wording aside: status, problem code and the fields it names. */
export function verdict(response: { statusCode: number; body: string }): string {
  if (!response.body.startsWith('{')) return String(response.statusCode);
  const body = JSON.parse(response.body) as { code?: string; errors?: { field: string }[] };
  return `${response.statusCode} ${body.code ?? ''} ${(body.errors ?? []).map((error) => error.field).join(',')}`;
}
