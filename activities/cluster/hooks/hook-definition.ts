import type { HookDefinitionMessage } from '../../../proto/agent/index.js';

/** What the runner needs of an app hook: the versioned message the control plane sends. */
export type HookDefinition = HookDefinitionMessage;

/**
 * The namespaces a hook looks for pods in: its own list, or, when that is empty, every namespace the
 * run selects (the schema's documented meaning of an empty list). The caller resolves the run's
 * selection to names before hooks run; the runner never widens it.
 */
export function hookNamespaces(hook: Pick<HookDefinition, 'namespaces'>, runNamespaces: readonly string[]): string[] {
  const chosen = hook.namespaces.length > 0 ? hook.namespaces : runNamespaces;
  return [...new Set(chosen)].sort();
}
