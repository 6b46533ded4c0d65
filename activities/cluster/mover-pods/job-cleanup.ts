import { setTimeout as sleep } from 'node:timers/promises';
import { CustomObjectsApi, type CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { SNAPSHOT_LABELS } from '../../../proto/agent/index.js';
import { isProtectedNamespace } from '../../../lib/domain/protected-namespaces.js';
import { HAVEN_MANAGER, MOVER_LABELS } from '../../../proto/mover/index.js';
import { isNotFound, SNAPSHOT_GROUP } from '../snapshots/snapshot-api.js';

interface Named {
  metadata?: { name?: string; namespace?: string };
}

export async function ignoreMissing(work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}

/** How long deleted objects may take to go (pods stop, claims and snapshots drop their finalizers). */
export const CLEANUP_WAIT_MS = 90_000;
const CLEANUP_POLL_MS = 1_000;

export class CleanupIncompleteError extends Error {
  override readonly name = 'CleanupIncompleteError';
}

export const ref = (kind: string, item: Named) => `${kind} ${item.metadata?.namespace ?? ''}/${item.metadata?.name ?? ''}`;

/**
 * Only objects Haven made (its manager label beside the job's) outside the namespaces no run touches:
 * a job label alone is a claim anyone in the cluster can write.
 */
export const jobSelector = (jobLabel: string, jobId: string) => `${MOVER_LABELS.managedBy}=${HAVEN_MANAGER},${jobLabel}=${jobId}`;
/** Haven's objects of any job: its manager label and the job label, whatever its value. */
export const anyJobSelector = (jobLabel: string) => `${MOVER_LABELS.managedBy}=${HAVEN_MANAGER},${jobLabel}`;
export const outsideProtected = <T extends Named>(items: T[]): T[] => items.filter((item) => !isProtectedNamespace(item.metadata?.namespace ?? ''));

/**
 * Which of the job's VolumeSnapshots stay, and how the others go (the leftover sweep takes the data of
 * contents Haven retained with them). `true` keeps them all; `false` deletes them all, plainly.
 */
export type SnapshotDisposal = boolean | { keeps(namespace: string, name: string): boolean; remove(namespace: string, name: string): Promise<void> };

/**
 * Deletes what a job left in the cluster, found by its labels rather than remembered: pods first (they
 * hold the claims), then temporary claims and credentials, then the job's snapshots the disposal does
 * not keep. Works the same after a cancel, a failure or an agent that crashed mid-run.
 */
export async function cleanUpJob(kubeConfig: KubeConfig, core: CoreV1Api, jobId: string, snapshots: SnapshotDisposal, onWait: () => void = () => undefined): Promise<string[]> {
  const deleted = await deleteJobObjects(kubeConfig, core, jobId, snapshots);
  // Done means gone, not "deletion requested": a cancelled run must not leave a terminating pod behind.
  const deadline = Date.now() + CLEANUP_WAIT_MS;
  for (;;) {
    const remaining = await deleteJobObjects(kubeConfig, core, jobId, snapshots);
    if (remaining.length === 0) return deleted;
    if (Date.now() > deadline) throw new CleanupIncompleteError(`still being deleted after ${CLEANUP_WAIT_MS / 1000} s: ${remaining.join(', ')}`);
    onWait();
    await sleep(CLEANUP_POLL_MS);
  }
}

async function deleteJobObjects(kubeConfig: KubeConfig, core: CoreV1Api, jobId: string, disposal: SnapshotDisposal): Promise<string[]> {
  const selector = jobSelector(MOVER_LABELS.job, jobId);
  const deleted: string[] = [];
  const pods = outsideProtected((await core.listPodForAllNamespaces({ labelSelector: selector })).items);
  for (const pod of pods) {
    await ignoreMissing(() => core.deleteNamespacedPod({ namespace: pod.metadata?.namespace ?? '', name: pod.metadata?.name ?? '', gracePeriodSeconds: 5 }));
    deleted.push(ref('pod', pod));
  }
  for (const claim of outsideProtected((await core.listPersistentVolumeClaimForAllNamespaces({ labelSelector: selector })).items)) {
    await ignoreMissing(() => core.deleteNamespacedPersistentVolumeClaim({ namespace: claim.metadata?.namespace ?? '', name: claim.metadata?.name ?? '' }));
    deleted.push(ref('persistentvolumeclaim', claim));
  }
  for (const secret of outsideProtected((await core.listSecretForAllNamespaces({ labelSelector: selector })).items)) {
    await ignoreMissing(() => core.deleteNamespacedSecret({ namespace: secret.metadata?.namespace ?? '', name: secret.metadata?.name ?? '' }));
    deleted.push(ref('secret', secret));
  }
  if (disposal !== true) {
    const custom = kubeConfig.makeApiClient(CustomObjectsApi);
    let snapshots: Named[] = [];
    try {
      snapshots = ((await custom.listClusterCustomObject({ ...SNAPSHOT_GROUP, plural: 'volumesnapshots', labelSelector: jobSelector(SNAPSHOT_LABELS.job, jobId) })) as { items: Named[] }).items;
    } catch (error) {
      // A cluster without the snapshot CRDs has no snapshots to clean.
      if (!isNotFound(error)) throw error;
    }
    const remove =
      disposal === false
        ? (namespace: string, name: string) => ignoreMissing(() => custom.deleteNamespacedCustomObject({ ...SNAPSHOT_GROUP, plural: 'volumesnapshots', namespace, name }))
        : (namespace: string, name: string) => disposal.remove(namespace, name);
    for (const snapshot of outsideProtected(snapshots)) {
      const namespace = snapshot.metadata?.namespace ?? '';
      const name = snapshot.metadata?.name ?? '';
      if (disposal !== false && disposal.keeps(namespace, name)) continue;
      await remove(namespace, name);
      deleted.push(ref('volumesnapshot', snapshot));
    }
  }
  return deleted.sort();
}
