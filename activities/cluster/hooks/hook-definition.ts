import type { AppHookInput } from '../../../services/api/resources/app-hooks/schema.js';

/**
 * What the runner needs of an app hook, as the API stores it (defaults already applied by its schema).
 * Derived from the API's type so a renamed field breaks the build here rather than at run time.
 */
export type HookDefinition = Pick<AppHookInput, 'name' | 'type' | 'command' | 'podSelector' | 'namespaces' | 'container' | 'timeoutSeconds' | 'onError'>;

/**
 * The namespaces a hook looks for pods in: its own list, or, when that is empty, every namespace the
 * run selects (the schema's documented meaning of an empty list). The caller resolves the run's
 * selection to names before hooks run; the runner never widens it.
 */
export function hookNamespaces(hook: Pick<HookDefinition, 'namespaces'>, runNamespaces: readonly string[]): string[] {
  const chosen = hook.namespaces.length > 0 ? hook.namespaces : runNamespaces;
  return [...new Set(chosen)].sort();
}
