/** Where Haven's agent runs: backing it up or restoring over it would let a tenant rewrite the agent. */
export const HAVEN_NAMESPACE = 'haven-system';

/**
 * Kubernetes reserves the `kube-` prefix for its own namespaces (kube-system, kube-public,
 * kube-node-lease, and any it adds later): their objects belong to the cluster, not to an application.
 */
const KUBERNETES_PREFIX = 'kube-';

/** Namespaces Haven never exports, restores over, replicates over or runs hooks in, whatever a selection says. */
export function isProtectedNamespace(name: string): boolean {
  return name === HAVEN_NAMESPACE || name.startsWith(KUBERNETES_PREFIX);
}

export const PROTECTED_NAMESPACES_RULE = `${HAVEN_NAMESPACE} and ${KUBERNETES_PREFIX}* namespaces are never backed up, restored, replicated or hooked`;
