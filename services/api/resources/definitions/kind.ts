import type { Static, TObject } from '@sinclair/typebox';
import { definitions } from '../../../../lib/db/schema/index.js';
import type { DefinitionKind } from '../../../../lib/common/enums.js';
import { Problem } from '../../../../lib/common/problem.js';
import type { ApiContext } from '../../context.js';
import type { TenantScope } from '../../../../lib/db/tenant-scope.js';
import { loadHookSlots } from './hook-slots.js';
import type { DefinitionRow, PreparedDefinition } from './store.js';

/**
 * What differs between backup, replication and restore definitions; the routes, storage, hooks and
 * concurrency handling are shared (crud-routes.ts).
 */
export interface DefinitionKindSpec<Input extends TObject, Output extends TObject> {
  kind: DefinitionKind;
  /** Collection path, e.g. /backup-definitions. */
  path: string;
  /** Singular noun for messages, e.g. "backup definition". */
  what: string;
  tag: string;
  input: Input;
  output: Output;
  /**
   * Why saving this input needs the admin role (an option that takes a protection away), or undefined.
   * Checked on create and replace, before anything is stored: 403 to anyone else.
   */
  adminOnly?(input: Static<Input>): string | undefined;
  /**
   * Why replacing the stored definition with `next` protects the recovery points its runs make less
   * (a weaker policy), or undefined. Checked with the row locked, before anything changes: 403 to anyone
   * but an admin.
   */
  adminToReplace?(scope: TenantScope, stored: DefinitionRow, next: Static<Input>): Promise<string | undefined>;
  /** Why stopping the definition's runs (delete, pause) takes a protection away, or undefined; checked the same way. */
  adminToStop?(scope: TenantScope, stored: DefinitionRow): Promise<string | undefined>;
  /** Checks the rules and references the schema cannot, and says what to store. */
  prepare(scope: TenantScope, input: Static<Input>): Promise<PreparedDefinition>;
  toApi(row: DefinitionRow, hooks: ReadonlyMap<string, string[]>): Static<Output>;
  /** Runs inside the create transaction, after the row and its hooks are stored (replication's run-now). */
  afterCreate?(scope: TenantScope, row: DefinitionRow, input: Static<Input>, context: ApiContext): Promise<void>;
}

/** A definition of the given kind in this organization, or 404 (an id of another kind is not found either). */
export async function getDefinition(scope: TenantScope, kind: DefinitionKind, id: string, what: string, forUpdate = false): Promise<DefinitionRow> {
  const row = forUpdate ? await scope.getForUpdate(definitions, id, what) : await scope.find(definitions, id);
  if (!row || row.kind !== kind) throw new Problem('not-found', `${what} ${id} does not exist`);
  return row;
}

/** The server-managed fields every definition representation starts with. */
export function definitionMeta(row: DefinitionRow) {
  return {
    id: row.id,
    name: row.name,
    tags: row.tags,
    notifications: row.notifications,
    paused: row.paused,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** The API representation of one definition (with its hooks), as responses carry it. */
export async function representation<I extends TObject, O extends TObject>(
  scope: TenantScope,
  spec: DefinitionKindSpec<I, O>,
  row: DefinitionRow,
): Promise<Static<O>> {
  const hooks = await loadHookSlots(scope, [row.id]);
  return spec.toApi(row, hooks.get(row.id) ?? new Map());
}
