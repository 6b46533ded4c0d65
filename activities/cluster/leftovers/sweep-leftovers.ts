import type { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { SnapshotRef, SweepLeftoversRequest } from '../../../proto/agent/index.js';
import { cleanUpJob, type SnapshotDisposal } from '../mover-pods/job-cleanup.js';
import { deleteSnapshotData } from '../snapshots/retain-content.js';
import type { SnapshotApi } from '../snapshots/snapshot-api.js';
import { releaseRestoreSources } from './restore-sources.js';

const key = (snapshot: SnapshotRef) => `${snapshot.namespace}/${snapshot.snapshotName}`;

/**
 * Deletes what ended jobs left, found again by label (the request names jobs, never objects): their
 * mover objects, then their snapshots with the data of any content Haven had retained, except those a
 * live recovery point keeps, and the snapshot sources of restores nothing waits for any more. Like a
 * run's own cleanup it returns once the mover objects are gone, not when their deletion was asked for: a
 * snapshot that is a temporary claim's source waits for that claim.
 */
export async function sweepLeftovers(kubeConfig: KubeConfig, core: CoreV1Api, api: SnapshotApi, request: SweepLeftoversRequest, onWait: () => void): Promise<string[]> {
  const keep = new Set(request.keep.map(key));
  const disposal: SnapshotDisposal = {
    keeps: (namespace, snapshotName) => keep.has(key({ namespace, snapshotName })),
    remove: (namespace, snapshotName) => deleteSnapshotData(api, { namespace, snapshotName }),
  };
  const deleted: string[] = [];
  for (const jobId of request.jobIds) {
    deleted.push(...(await cleanUpJob(kubeConfig, core, jobId, disposal, onWait)));
    deleted.push(...(await releaseRestoreSources(kubeConfig, core, jobId)));
  }
  return deleted.sort();
}
