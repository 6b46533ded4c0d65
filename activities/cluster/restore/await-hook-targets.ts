import { setTimeout as sleep } from 'node:timers/promises';
import type { HookDefinitionMessage } from '../../../proto/agent/index.js';
import { matchesLabels, parseLabelSelector } from '../../../lib/common/label-selector.js';
import type { KubeRestClient } from '../../../lib/kube/rest-client.js';
import { hookNamespaces } from '../hooks/hook-definition.js';

const POLL_MS = 1_000;

interface Workload {
  kind: string;
  metadata: { name: string; namespace: string; generation?: number };
  spec?: { replicas?: number; template?: { metadata?: { labels?: Record<string, string> } } };
  status?: { observedGeneration?: number; readyReplicas?: number; availableReplicas?: number; numberReady?: number; desiredNumberScheduled?: number };
}

const COLLECTIONS = [
  { kind: 'Deployment', path: 'deployments' },
  { kind: 'StatefulSet', path: 'statefulsets' },
  { kind: 'DaemonSet', path: 'daemonsets' },
] as const;

function isReady(w: Workload): boolean {
  if ((w.status?.observedGeneration ?? 0) < (w.metadata.generation ?? 0)) return false;
  if (w.kind === 'DaemonSet') return (w.status?.numberReady ?? 0) >= (w.status?.desiredNumberScheduled ?? 0);
  const wanted = w.spec?.replicas ?? 1;
  return (w.kind === 'Deployment' ? (w.status?.availableReplicas ?? 0) : (w.status?.readyReplicas ?? 0)) >= wanted;
}

/**
 * Post-restore hooks act on the restored application, whose pods the controllers are still starting
 * when the restore ends: a hook run at once would find no Running pod. This waits until every restored
 * workload whose pod template a hook selects (in the namespaces the hook may run in) is ready, or the
 * deadline; it answers the workloads still not ready, and the hooks then run in the pods that are.
 */
export async function awaitHookTargets(
  kube: KubeRestClient,
  request: { hooks: readonly HookDefinitionMessage[]; runNamespaces: readonly string[]; timeoutMs: number },
  options: { signal?: AbortSignal; onPoll?: (waiting: number) => void; now?: () => number } = {},
): Promise<string[]> {
  const now = options.now ?? Date.now;
  const deadline = now() + request.timeoutMs;
  const selectors = request.hooks.flatMap((hook) => {
    const parsed = parseLabelSelector(hook.podSelector);
    return parsed.ok ? [{ selector: parsed.selector, namespaces: hookNamespaces(hook, request.runNamespaces).namespaces }] : [];
  });
  const namespaces = [...new Set(selectors.flatMap((s) => s.namespaces))];
  for (;;) {
    const waiting: string[] = [];
    for (const namespace of namespaces) {
      for (const { kind, path } of COLLECTIONS) {
        for await (const workload of kube.list<Workload>(`/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/${path}`)) {
          const labels = workload.spec?.template?.metadata?.labels ?? {};
          const targeted = selectors.some((s) => s.namespaces.includes(namespace) && matchesLabels(s.selector, labels));
          if (targeted && !isReady({ ...workload, kind })) waiting.push(`${kind} ${namespace}/${workload.metadata.name}`);
        }
      }
    }
    options.onPoll?.(waiting.length);
    if (waiting.length === 0 || now() >= deadline) return waiting;
    await sleep(POLL_MS, undefined, options.signal ? { signal: options.signal } : undefined);
  }
}
