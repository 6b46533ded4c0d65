import { setTimeout as sleep } from 'node:timers/promises';
import { ApplicationFailure } from '@temporalio/activity';
import { KubeApiError, type KubeRestClient } from '../../../lib/kube/rest-client.js';
import { isProtectedNamespace, PROTECTED_NAMESPACES_RULE } from '../../../lib/domain/protected-namespaces.js';
import { HAVEN_MANAGER } from '../../../proto/mover/names.js';

const POLL_MS = 1_000;

/** Marks a namespace a replication run re-created, and which run: a person can tell a replica from a local namespace. */
export const REPLICA_LABELS = {
  managedBy: 'app.kubernetes.io/managed-by',
  job: 'replication.haven.io/job',
} as const;

/** The failure type when a run would delete a protected namespace (a definition saved before the API refused it). */
export const PROTECTED_NAMESPACE = 'PROTECTED_NAMESPACE';

/**
 * The failure type when a destination namespace exists that Haven did not create: deleting it could
 * wipe an application someone runs there, so the run stops before anything is deleted.
 */
export const UNMANAGED_NAMESPACE = 'UNMANAGED_NAMESPACE';

/** The failure type when a namespace does not finish terminating in time (a stuck finalizer, usually). */
export const NAMESPACE_STILL_TERMINATING = 'NAMESPACE_STILL_TERMINATING';

interface NamespaceObject {
  metadata?: { labels?: Record<string, string> };
  status?: { phase?: string; conditions?: { type?: string; status?: string; message?: string }[] };
}

const namespacePath = (name = '') => `/api/v1/namespaces${name ? `/${encodeURIComponent(name)}` : ''}`;

async function readNamespace(kube: KubeRestClient, name: string): Promise<NamespaceObject | undefined> {
  try {
    return await kube.get<NamespaceObject>(namespacePath(name));
  } catch (error) {
    if (error instanceof KubeApiError && error.status === 404) return undefined;
    throw error;
  }
}

/** What the namespace controller says is holding a namespace back, for the failure a person reads. */
function holdUp(namespace: NamespaceObject | undefined): string {
  const stuck = namespace?.status?.conditions?.filter((c) => c.status === 'True' && c.message).map((c) => c.message) ?? [];
  return stuck.length > 0 ? `: ${stuck.join('; ')}` : '';
}

const isManagedByHaven = (namespace: NamespaceObject) => namespace.metadata?.labels?.[REPLICA_LABELS.managedBy] === HAVEN_MANAGER;

/**
 * Deletes the namespaces, waits until the API server no longer has them, and creates them again, empty.
 * Only namespaces Haven made are deleted (every replica carries the managed-by label) unless
 * `replaceUnmanagedNamespaces`; any other fails the run before a single delete, so a run never leaves
 * half the destination wiped. Idempotent, so a retried attempt (a restarted agent) finishes the job: a
 * namespace that is already gone is simply created, one already re-created by this job is left as it
 * is. The deletes are all issued first, so the namespaces terminate together.
 */
export async function resetNamespaces(
  kube: KubeRestClient,
  request: { jobId: string; namespaces: readonly string[]; timeoutMs: number; replaceUnmanagedNamespaces?: boolean },
  options: { signal?: AbortSignal; onPoll?: (terminating: string[]) => void; now?: () => number } = {},
): Promise<{ deleted: string[] }> {
  const now = options.now ?? Date.now;
  const deadline = now() + request.timeoutMs;
  const deleted: string[] = [];
  // Checked before any delete: deleting kube-system or the agent's namespace cannot be undone.
  const protectedOnes = request.namespaces.filter(isProtectedNamespace);
  if (protectedOnes.length > 0) {
    throw ApplicationFailure.nonRetryable(`refusing to reset ${protectedOnes.join(', ')}: ${PROTECTED_NAMESPACES_RULE}`, PROTECTED_NAMESPACE);
  }
  const toDelete: string[] = [];
  const unmanaged: string[] = [];
  for (const name of request.namespaces) {
    const existing = await readNamespace(kube, name);
    if (!existing || existing.metadata?.labels?.[REPLICA_LABELS.job] === request.jobId) continue;
    if (!isManagedByHaven(existing) && request.replaceUnmanagedNamespaces !== true) unmanaged.push(name);
    toDelete.push(name);
  }
  if (unmanaged.length > 0) {
    throw ApplicationFailure.nonRetryable(
      `refusing to delete ${unmanaged.join(', ')}: not created by Haven (no ${REPLICA_LABELS.managedBy}=${HAVEN_MANAGER} label), so deleting could wipe an application that lives there; ` +
        'nothing was deleted. Remove it from destination.namespaces, delete it yourself, or have an admin set destination.replaceUnmanagedNamespaces to true on the replication definition',
      UNMANAGED_NAMESPACE,
    );
  }
  for (const name of toDelete) {
    await kube.delete(namespacePath(name));
    deleted.push(name);
  }
  let terminating = [...deleted];
  while (terminating.length > 0) {
    const states = await Promise.all(terminating.map(async (name) => ({ name, namespace: await readNamespace(kube, name) })));
    const still = states.filter((s) => s.namespace !== undefined);
    terminating = still.map((s) => s.name);
    options.onPoll?.(terminating);
    if (terminating.length === 0) break;
    if (now() >= deadline) {
      const reasons = still.map((s) => `${s.name}${holdUp(s.namespace)}`).join('; ');
      throw ApplicationFailure.nonRetryable(
        `namespaces still terminating after ${request.timeoutMs >= 60_000 ? `${Math.round(request.timeoutMs / 60_000)} min` : `${Math.round(request.timeoutMs / 1000)} s`}: ${reasons}`,
        NAMESPACE_STILL_TERMINATING,
      );
    }
    await sleep(POLL_MS, undefined, options.signal ? { signal: options.signal } : undefined);
  }
  for (const name of request.namespaces) {
    try {
      await kube.post(namespacePath(), {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name, labels: { [REPLICA_LABELS.managedBy]: HAVEN_MANAGER, [REPLICA_LABELS.job]: request.jobId } },
      });
    } catch (error) {
      // Re-created by an earlier attempt of this very call.
      if (!(error instanceof KubeApiError && error.status === 409)) throw error;
    }
  }
  return { deleted };
}
