import { ApplicationFailure } from '@temporalio/activity';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AGENT_FAILURE_TYPES,
  restoreResourcesRequestCodec,
  type RestoreResourcesRequest,
  type RestoreResourcesResult,
} from '../../../proto/agent/index.js';
import { runRestore } from '../../../lib/datamover/restore/restore.js';
import { toActivityFailure } from '../../common/failures.js';
import { withHeartbeats } from '../../common/heartbeats.js';
import { openRepository } from '../../common/open-repository.js';
import type { KubeRestClient } from '../../../lib/kube/rest-client.js';
import { volumeRestoreEntries } from './granular-selection.js';
import { ResourceTreeError, readResourceTree } from './read-resource-tree.js';
import { restoreResources } from './restore-resources.js';
import { SnapshotSources } from './snapshot-sources.js';
import { allClaimSources, CopySources } from './copy-sources.js';
import { toRestoreResult } from './restore-from-repository-result.js';

/** Objects applied between progress heartbeats: one per object was a Temporal heartbeat call per create. */
const PROGRESS_EVERY_OBJECTS = 100;

export interface ClusterRestoreDeps {
  kube: KubeRestClient;
  /** Where the resource tree is unpacked before it is applied; the system temp dir by default. */
  scratchDirectory?: string;
}

async function restoreFrom(deps: ClusterRestoreDeps, request: RestoreResourcesRequest, phase: (name: string) => void): Promise<RestoreResourcesResult> {
  const directory = await mkdtemp(join(deps.scratchDirectory ?? tmpdir(), 'haven-restore-'));
  try {
    phase('fetching');
    // The recovery point's repository exists, so this only opens it.
    const repository = await openRepository(request.repository);
    // Owners are the agent's own: the files are only read back, never mounted into workloads.
    await runRestore(repository, { snapshotId: request.snapshotId, target: directory, restoreOwners: false });
    phase('reading');
    const tree = await readResourceTree(directory);
    const entries = request.selection.volumes.length > 0 ? volumeRestoreEntries(tree, request.selection.volumes) : tree;
    const snapshots = request.snapshotVolumes ? new SnapshotSources(deps.kube, request.jobId, request.snapshotVolumes) : undefined;
    const copies = request.copyVolumes ? new CopySources(request.copyVolumes, request.jobId) : undefined;
    const sources = [snapshots, copies].filter((s) => s !== undefined);
    const report = await restoreResources(
      deps.kube,
      entries,
      { selection: request.selection, transforms: request.transforms, existingResources: request.existingResources },
      { onProgress: ({ done, total }) => (done === 1 || done % PROGRESS_EVERY_OBJECTS === 0 || done === total ? phase(`applying ${done}/${total}`) : undefined), ...(sources.length > 0 ? { claimSources: allClaimSources(sources) } : {}) },
    );
    await snapshots?.releaseUnused();
    return {
      ...toRestoreResult(report),
      ...(snapshots ? { restoredClaims: snapshots.restored } : {}),
      ...(copies ? { emptiedClaims: copies.emptied } : {}),
    };
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

/** The agent's restore activities; cluster-side, over an injected Kubernetes client. */
export function clusterRestoreActivities(deps: ClusterRestoreDeps) {
  return {
    /** Takes `unknown`: the message is decoded by version (proto/agent), since the sender may be newer. */
    async restoreResourcesFromRepository(message: unknown): Promise<RestoreResourcesResult> {
      let location = '(unknown repository)';
      try {
        const request = restoreResourcesRequestCodec.decode(message);
        location = request.repository.location;
        return await withHeartbeats((phase) => restoreFrom(deps, request, phase));
      } catch (error) {
        // Another attempt reads the same tree from the same snapshot.
        if (error instanceof ResourceTreeError) throw ApplicationFailure.nonRetryable(error.message, AGENT_FAILURE_TYPES.resourceTreeUnreadable);
        throw toActivityFailure(error, location);
      }
    },
  };
}

export type ClusterRestoreActivities = ReturnType<typeof clusterRestoreActivities>;
