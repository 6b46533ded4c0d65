import { and, asc, eq, inArray } from 'drizzle-orm';
import { appHooks, hookBindings } from '../../../../lib/db/schema/index.js';
import type { HookType } from '../../../../lib/common/enums.js';
import { Problem, fieldProblem } from '../../../../lib/common/problem.js';
import type { TenantScope } from '../../../../lib/db/tenant-scope.js';

/** A place in a definition where hooks run, e.g. the replication's destination post-restore hooks. */
export interface HookSlot {
  phase: string;
  /** Request field that fills the slot, for error messages. */
  field: string;
  type: HookType;
  hookIds: string[];
}

/** Every hook must exist in this organization and be of the slot's type. */
export async function checkHookSlots(scope: TenantScope, slots: HookSlot[]): Promise<void> {
  const ids = [...new Set(slots.flatMap((slot) => slot.hookIds))];
  if (ids.length === 0) return;
  const rows = await scope.executor
    .select({ id: appHooks.id, type: appHooks.type, name: appHooks.name })
    .from(appHooks)
    .where(scope.owns(appHooks, inArray(appHooks.id, ids)));
  const found = new Map(rows.map((row) => [row.id, row]));
  for (const slot of slots) {
    for (const [index, hookId] of slot.hookIds.entries()) {
      const hook = found.get(hookId);
      const field = `${slot.field}.${index}`;
      if (!hook) {
        throw new Problem('invalid-reference', `${field}: no app hook ${hookId} in this organization`, {
          errors: [{ field, reason: 'no app hook with this id in this organization' }],
        });
      }
      if (hook.type !== slot.type) throw fieldProblem(field, `app hook "${hook.name}" is ${hook.type}; this slot takes ${slot.type} hooks`);
    }
  }
}

export async function saveHookSlots(scope: TenantScope, definitionId: string, slots: HookSlot[]): Promise<void> {
  await scope.executor.delete(hookBindings).where(scope.owns(hookBindings, eq(hookBindings.definitionId, definitionId)));
  const rows = slots.flatMap((slot) =>
    slot.hookIds.map((hookId, position) => ({ orgId: scope.orgId, definitionId, phase: slot.phase, position, hookId })),
  );
  if (rows.length > 0) await scope.executor.insert(hookBindings).values(rows);
}

/** Hook ids per phase, in run order, for each definition. */
export async function loadHookSlots(scope: TenantScope, definitionIds: string[]): Promise<Map<string, Map<string, string[]>>> {
  const result = new Map<string, Map<string, string[]>>(definitionIds.map((id) => [id, new Map()]));
  if (definitionIds.length === 0) return result;
  const rows = await scope.executor
    .select()
    .from(hookBindings)
    .where(and(scope.owns(hookBindings), inArray(hookBindings.definitionId, definitionIds)))
    .orderBy(asc(hookBindings.definitionId), asc(hookBindings.phase), asc(hookBindings.position));
  for (const row of rows) {
    const phases = result.get(row.definitionId) as Map<string, string[]>;
    phases.set(row.phase, [...(phases.get(row.phase) ?? []), row.hookId]);
  }
  return result;
}
