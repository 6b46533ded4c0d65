import type { Transforms } from './definitions/options.js';
import { mappedName } from './name-map.js';

/**
 * Renames the namespaces a restore brings along: an explicit mapping, or prefix + name + suffix (the API
 * forbids combining them). Namespaces the restore does not bring (`kube-system` named by a binding subject,
 * say) keep their names, so a reference to them still points at the object it meant.
 */
export class NamespaceMapping {
  constructor(
    private readonly transforms: Pick<Transforms, 'namespacePrefix' | 'namespaceSuffix' | 'namespaceMapping'>,
    private readonly restored: ReadonlySet<string>,
  ) {}

  target(namespace: string): string {
    if (!this.restored.has(namespace)) return namespace;
    return renamedNamespace(this.transforms, namespace);
  }
}

/** Where a namespace the restore brings lands: its own mapping entry, else prefix + name + suffix. */
export function renamedNamespace(transforms: Pick<Transforms, 'namespacePrefix' | 'namespaceSuffix' | 'namespaceMapping'>, namespace: string): string {
  return mappedName(transforms.namespaceMapping, namespace) ?? `${transforms.namespacePrefix}${namespace}${transforms.namespaceSuffix}`;
}
