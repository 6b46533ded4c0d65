import { and, asc, eq } from 'drizzle-orm';
import type { HookDefinitionMessage } from '../../proto/agent/index.js';
import type { HookPhase } from '../../lib/common/enums.js';
import { appHooks, hookBindings } from '../../lib/db/schema/index.js';
import type { ControlDeps } from './deps.js';

/** A definition's app hooks of one phase, as complete definitions in the definition's order. */
async function definitionHooks(deps: ControlDeps, orgId: string, definitionId: string, phase: HookPhase): Promise<HookDefinitionMessage[]> {
  const rows = await deps.db
    .select({ hook: appHooks })
    .from(hookBindings)
    .innerJoin(appHooks, and(eq(appHooks.orgId, hookBindings.orgId), eq(appHooks.id, hookBindings.hookId)))
    .where(and(eq(hookBindings.orgId, orgId), eq(hookBindings.definitionId, definitionId), eq(hookBindings.phase, phase)))
    .orderBy(asc(hookBindings.position));
  return rows.map(({ hook }) => ({
    name: hook.name,
    type: hook.type,
    command: hook.command,
    podSelector: hook.podSelector,
    namespaces: hook.namespaces,
    container: hook.container,
    timeoutSeconds: hook.timeoutSeconds,
    onError: hook.onError,
  }));
}

/**
 * The one part of a definition a run reads when it reaches it rather than when it starts: its hooks,
 * so a fixed hook applies to the run already waiting on a snapshot, and the agent receives complete
 * definitions. Everything else is in the run's resolved input.
 */
export function runHookActivities(deps: ControlDeps) {
  return {
    /** The hooks bound to each phase, in the order asked. */
    async resolveHooks(input: { orgId: string; definitionId: string; phases: HookPhase[] }): Promise<HookDefinitionMessage[][]> {
      return Promise.all(input.phases.map((phase) => definitionHooks(deps, input.orgId, input.definitionId, phase)));
    },
  };
}
