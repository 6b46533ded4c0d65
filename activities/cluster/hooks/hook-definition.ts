import { isProtectedNamespace } from '../../../lib/domain/protected-namespaces.js';
import type { HookDefinitionMessage } from '../../../proto/agent/index.js';

/** What the runner needs of an app hook: the versioned message the control plane sends. */
export type HookDefinition = HookDefinitionMessage;

/** Where a hook may look for pods in one run, and what it named that the run does not reach. */
export interface HookNamespaces {
  /** Sorted, distinct: the namespaces pods are listed in. */
  namespaces: string[];
  /** Namespaces the hook lists that the run did not select (or that are protected): never looked in. */
  notSelected: string[];
}

/**
 * The namespaces a hook looks for pods in: its own list narrowed to the run's selected namespaces, or,
 * when its list is empty, every namespace the run selects (the schema's documented meaning of an empty
 * list). A hook is a command run in pods: its list can only narrow the run, never widen it, so a hook
 * bound to a run of namespace A cannot exec in B because its definition names B. The caller resolves
 * the run's selection to names before hooks run; protected namespaces are dropped whatever either says.
 */
export function hookNamespaces(hook: Pick<HookDefinition, 'namespaces'>, runNamespaces: readonly string[]): HookNamespaces {
  const run = new Set(runNamespaces.filter((namespace) => !isProtectedNamespace(namespace)));
  const named = [...new Set(hook.namespaces)].sort();
  if (named.length === 0) return { namespaces: [...run].sort(), notSelected: [] };
  return { namespaces: named.filter((namespace) => run.has(namespace)), notSelected: named.filter((namespace) => !run.has(namespace)) };
}
