import { NamespaceMapping } from '../lib/domain/namespace-mapping.js';
import { isProtectedNamespace } from '../lib/domain/protected-namespaces.js';
import type { RestoreRunInput } from '../lib/domain/runs/restore-run.js';

export interface ReplicaNamespaces {
  /** Source namespace → destination namespace, for those that land in a destination namespace. */
  mapping: Record<string, string>;
  /** Source namespaces whose renamed name is not a destination namespace: not replicated, and said so on the job. */
  outside: { namespace: string; target: string }[];
}

/**
 * Which namespaces of the backup the restore brings, and where: only into the definition's destination
 * namespaces, because those are the only ones the run cleared, and nothing else there may be touched; a
 * protected namespace is never one of them, even in a definition saved before the API refused it.
 */
export function replicaNamespaces(backedUp: readonly string[], transforms: RestoreRunInput['transforms'], destinations: readonly string[]): ReplicaNamespaces {
  const renamed = new NamespaceMapping(transforms, new Set(backedUp));
  const mapping: Record<string, string> = {};
  const outside: ReplicaNamespaces['outside'] = [];
  for (const namespace of [...backedUp].sort()) {
    const target = renamed.target(namespace);
    if (destinations.includes(target) && !isProtectedNamespace(target)) mapping[namespace] = target;
    else outside.push({ namespace, target });
  }
  return { mapping, outside };
}
