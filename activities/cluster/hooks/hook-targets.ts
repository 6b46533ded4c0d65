import type { V1Pod } from '@kubernetes/client-node';
import { matchesLabels, type LabelSelector } from '../../../lib/common/label-selector.js';
import { isProtectedNamespace } from '../../../lib/domain/protected-namespaces.js';

/** One pod the hook runs in, with the container resolved (or why it cannot be). */
export interface HookTarget {
  namespace: string;
  pod: string;
  container: string;
  /** Set when the hook names a container this pod's spec does not have. */
  missingContainer?: boolean;
}

/**
 * Chooses the pods a hook runs in: Running, not being deleted, labels matching. Pods that are Pending or
 * finished have no container to exec into, and a terminating pod may vanish mid-command; neither is the
 * application the hook is meant to quiesce. Pods of protected namespaces are the cluster's and Haven's own,
 * never a tenant's application. Ordered by namespace then name so runs are reproducible.
 */
export function hookTargets(pods: readonly V1Pod[], selector: LabelSelector, container: string | null): HookTarget[] {
  return pods
    .filter((pod) => !isProtectedNamespace(pod.metadata?.namespace ?? ''))
    .filter((pod) => pod.status?.phase === 'Running' && !pod.metadata?.deletionTimestamp && matchesLabels(selector, pod.metadata?.labels ?? {}))
    .map((pod) => targetOf(pod, container))
    .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.pod.localeCompare(b.pod));
}

function targetOf(pod: V1Pod, container: string | null): HookTarget {
  const namespace = pod.metadata?.namespace ?? '';
  const name = pod.metadata?.name ?? '';
  const containers = pod.spec?.containers ?? [];
  // null means the first container of the pod's spec, as `kubectl exec` picks by default.
  const chosen = container ?? containers[0]?.name ?? '';
  const present = containers.some((c) => c.name === chosen);
  return { namespace, pod: name, container: chosen, ...(present ? {} : { missingContainer: true }) };
}
