import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeRestClient } from '../../../lib/kube/rest-client.js';

const CRD_PATH = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
const POLL_INTERVAL_MS = 250;

interface CrdStatus {
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

export interface WaitOptions {
  timeoutMs: number;
  /** Injectable for tests; the clock only paces polling here, it decides nothing else. */
  now?: () => number;
  pause?: (ms: number) => Promise<unknown>;
}

/**
 * Waits until a CRD is Established, i.e. the API server serves its custom resources; creating them
 * earlier answers 404. Returns `undefined` when established, or why not (the last condition's message).
 */
export async function awaitCrdEstablished(client: KubeRestClient, name: string, options: WaitOptions): Promise<string | undefined> {
  const now = options.now ?? Date.now;
  const pause = options.pause ?? sleep;
  const deadline = now() + options.timeoutMs;
  let last = 'no conditions reported yet';
  for (;;) {
    const crd = await client.get<CrdStatus>(`${CRD_PATH}/${encodeURIComponent(name)}`);
    const conditions = crd.status?.conditions ?? [];
    if (conditions.some((c) => c.type === 'Established' && c.status === 'True')) return undefined;
    const problem = conditions.find((c) => c.type === 'NamesAccepted' && c.status === 'False') ?? conditions.at(-1);
    if (problem) last = `${problem.type}=${problem.status}${problem.message ? `: ${problem.message}` : ''}`;
    if (now() >= deadline) return `CRD ${name} not established after ${options.timeoutMs} ms (${last})`;
    await pause(POLL_INTERVAL_MS);
  }
}
