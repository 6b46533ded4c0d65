import { CustomObjectsApi, type CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { SNAPSHOT_LABELS, type JobLeftovers } from '../../../proto/agent/index.js';
import { RESTORE_SNAPSHOT_LABELS } from '../../../proto/agent/restore-volumes.js';
import { MOVER_LABELS } from '../../../proto/mover/index.js';
import { anyJobSelector, outsideProtected, ref } from '../mover-pods/job-cleanup.js';
import { isNotFound, SNAPSHOT_GROUP } from '../snapshots/snapshot-api.js';
import { listRestoreSources, releasableSources } from './restore-sources.js';

interface Labelled {
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
}

/** Job ids are UUIDs; any other value under the label is not Haven's, whoever wrote it. */
const JOB_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Bounds one answer: a cluster full of labelled objects is swept over several passes, not in one message. */
export const MAX_LEFTOVER_JOBS = 500;

async function listSnapshots(kubeConfig: KubeConfig): Promise<Labelled[]> {
  try {
    const custom = kubeConfig.makeApiClient(CustomObjectsApi);
    return ((await custom.listClusterCustomObject({ ...SNAPSHOT_GROUP, plural: 'volumesnapshots', labelSelector: anyJobSelector(SNAPSHOT_LABELS.job) })) as { items: Labelled[] }).items;
  } catch (error) {
    // A cluster without the snapshot CRDs has no snapshots to sweep.
    if (isNotFound(error)) return [];
    throw error;
  }
}

/**
 * Every job that has objects of Haven's in the cluster (mover pods, temporary claims, credentials
 * Secrets, backup VolumeSnapshots, restores' snapshot sources nothing waits for), found by labels rather
 * than remembered, so it works after an agent was away or a run's cleanup never ran. Sources of claims
 * still waiting for their first consumer are not listed: a restore keeps those past its end on purpose.
 */
export async function findLeftovers(kubeConfig: KubeConfig, core: CoreV1Api): Promise<JobLeftovers[]> {
  const byJob = new Map<string, JobLeftovers>();
  const entry = (item: Labelled, label: string) => {
    const jobId = item.metadata?.labels?.[label] ?? '';
    if (!JOB_ID.test(jobId)) return undefined;
    let found = byJob.get(jobId);
    if (!found) byJob.set(jobId, (found = { jobId, objects: [], snapshots: [] }));
    return found;
  };
  const selector = { labelSelector: anyJobSelector(MOVER_LABELS.job) };
  const collections: [string, Labelled[]][] = [
    ['pod', (await core.listPodForAllNamespaces(selector)).items],
    ['persistentvolumeclaim', (await core.listPersistentVolumeClaimForAllNamespaces(selector)).items],
    ['secret', (await core.listSecretForAllNamespaces(selector)).items],
  ];
  for (const [kind, items] of collections) {
    for (const item of outsideProtected(items)) entry(item, MOVER_LABELS.job)?.objects.push(ref(kind, item));
  }
  for (const snapshot of outsideProtected(await listSnapshots(kubeConfig))) {
    const found = entry(snapshot, SNAPSHOT_LABELS.job);
    if (!found) continue;
    found.objects.push(ref('volumesnapshot', snapshot));
    found.snapshots.push({ namespace: snapshot.metadata?.namespace ?? '', snapshotName: snapshot.metadata?.name ?? '' });
  }
  for (const source of await releasableSources(core, await listRestoreSources(kubeConfig))) entry(source, RESTORE_SNAPSHOT_LABELS.job)?.objects.push(ref('volumesnapshot', source));
  return [...byJob.values()].sort((a, b) => a.jobId.localeCompare(b.jobId)).slice(0, MAX_LEFTOVER_JOBS);
}
