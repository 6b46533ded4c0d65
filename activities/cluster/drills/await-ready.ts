import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeRestClient } from '../../../lib/kube/rest-client.js';
import type { DrillCheckResult } from '../../../proto/agent/drill-check.js';

const POLL_MS = 2_000;

type Difference = DrillCheckResult['differences'][number];

interface Workload {
  metadata: { name: string };
  spec?: { replicas?: number };
  status?: { readyReplicas?: number; numberReady?: number; desiredNumberScheduled?: number };
}

/** The workload types whose readiness says the application came up, with how each counts ready pods. */
const WORKLOADS = [
  { kind: 'Deployment', path: (ns: string) => `/apis/apps/v1/namespaces/${ns}/deployments`, missing: (w: Workload) => (w.spec?.replicas ?? 1) - (w.status?.readyReplicas ?? 0) },
  { kind: 'StatefulSet', path: (ns: string) => `/apis/apps/v1/namespaces/${ns}/statefulsets`, missing: (w: Workload) => (w.spec?.replicas ?? 1) - (w.status?.readyReplicas ?? 0) },
  { kind: 'DaemonSet', path: (ns: string) => `/apis/apps/v1/namespaces/${ns}/daemonsets`, missing: (w: Workload) => (w.status?.desiredNumberScheduled ?? 0) - (w.status?.numberReady ?? 0) },
] as const;

async function notReadyIn(kube: KubeRestClient, namespaces: readonly string[]): Promise<{ ready: number; waiting: Difference[] }> {
  let ready = 0;
  const waiting: Difference[] = [];
  for (const namespace of namespaces) {
    for (const type of WORKLOADS) {
      const list = await kube.get<{ items: Workload[] }>(type.path(encodeURIComponent(namespace)));
      for (const workload of list.items) {
        const missing = type.missing(workload);
        if (missing <= 0) ready++;
        else waiting.push({ kind: 'READINESS', subject: `${namespace}/${type.kind}/${workload.metadata.name}`, message: `${missing} replica${missing === 1 ? '' : 's'} not ready` });
      }
    }
  }
  return { ready, waiting };
}

/**
 * Waits until every Deployment, StatefulSet and DaemonSet in the scratch namespaces has its replicas
 * ready, or the timeout passes; what is still not ready then is a difference, naming the workload.
 */
export async function awaitWorkloadsReady(
  kube: KubeRestClient,
  namespaces: readonly string[],
  timeoutMs: number,
  options: { signal?: AbortSignal; onPoll?: (waiting: number) => void } = {},
): Promise<{ ready: number; differences: Difference[] }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { ready, waiting } = await notReadyIn(kube, namespaces);
    options.onPoll?.(waiting.length);
    if (waiting.length === 0) return { ready, differences: [] };
    if (Date.now() >= deadline) {
      const seconds = Math.round(timeoutMs / 1000);
      return { ready, differences: waiting.map((d) => ({ ...d, message: `${d.message} after ${seconds} s` })) };
    }
    await sleep(POLL_MS, undefined, options.signal ? { signal: options.signal } : undefined);
  }
}
