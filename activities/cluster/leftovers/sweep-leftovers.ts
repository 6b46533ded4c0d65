import { CustomObjectsApi, type CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { SNAPSHOT_LABELS, type SnapshotRef, type SweepLeftoversRequest } from '../../../proto/agent/index.js';
import { cleanUpJob, jobSelector, outsideProtected, ref } from '../mover-pods/job-cleanup.js';
import { deleteSnapshotData } from '../snapshots/retain-content.js';
import { isNotFound, SNAPSHOT_GROUP, type SnapshotApi } from '../snapshots/snapshot-api.js';

interface Named {
  metadata?: { name?: string; namespace?: string };
}

const key = (snapshot: SnapshotRef) => `${snapshot.namespace}/${snapshot.snapshotName}`;

/** The job's backup VolumeSnapshots, found again by label: the request names jobs, never objects to delete. */
async function jobSnapshots(kubeConfig: KubeConfig, jobId: string): Promise<Named[]> {
  try {
    const custom = kubeConfig.makeApiClient(CustomObjectsApi);
    const list = (await custom.listClusterCustomObject({ ...SNAPSHOT_GROUP, plural: 'volumesnapshots', labelSelector: jobSelector(SNAPSHOT_LABELS.job, jobId) })) as { items: Named[] };
    return outsideProtected(list.items);
  } catch (error) {
    if (isNotFound(error)) return [];
    throw error;
  }
}

/**
 * Deletes what ended jobs left: their mover objects (waiting until they are gone, as a run's own cleanup
 * does), then their snapshots with the data of any content Haven had retained, except those a live
 * recovery point keeps.
 */
export async function sweepLeftovers(kubeConfig: KubeConfig, core: CoreV1Api, api: SnapshotApi, request: SweepLeftoversRequest, onWait: () => void): Promise<string[]> {
  const keep = new Set(request.keep.map(key));
  const deleted: string[] = [];
  for (const jobId of request.jobIds) {
    deleted.push(...(await cleanUpJob(kubeConfig, core, jobId, true, onWait)));
    for (const snapshot of await jobSnapshots(kubeConfig, jobId)) {
      const namespace = snapshot.metadata?.namespace ?? '';
      const snapshotName = snapshot.metadata?.name ?? '';
      if (keep.has(key({ namespace, snapshotName }))) continue;
      await deleteSnapshotData(api, { namespace, snapshotName });
      deleted.push(ref('volumesnapshot', snapshot));
    }
  }
  return deleted.sort();
}
