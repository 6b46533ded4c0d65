import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  exportResourcesRequestCodec,
  RESOURCES_VOLUME,
  type ExportResourcesRequest,
  type ExportResourcesResult,
} from '../../../proto/agent/index.js';
import { runBackup } from '../../../lib/datamover/backup/backup.js';
import { exportResources } from '../export/export-resources.js';
import type { KubeRestClient } from '../../../lib/kube/rest-client.js';
import { toActivityFailure } from '../../common/failures.js';
import { withHeartbeats } from '../../common/heartbeats.js';
import { openOrInitRepository } from '../../common/open-repository.js';
import { writeResourceTree } from './resource-tree.js';

export interface ClusterBackupDeps {
  kube: KubeRestClient;
  /** Where the export is staged before it goes into the repository; the system temp dir by default. */
  scratchDirectory?: string;
}

async function exportInto(deps: ClusterBackupDeps, request: ExportResourcesRequest, phase: (name: string) => void): Promise<ExportResourcesResult> {
  const directory = await mkdtemp(join(deps.scratchDirectory ?? tmpdir(), 'haven-export-'));
  try {
    phase('listing');
    const resources = await exportResources(deps.kube, request.selection);
    phase('staging');
    await writeResourceTree(directory, resources, { clusterId: request.clusterId, definitionId: request.definitionId, jobId: request.jobId });
    phase('storing');
    const repository = await openOrInitRepository(request.repository);
    const { snapshot } = await runBackup(repository, {
      source: directory,
      volume: RESOURCES_VOLUME,
      // Staged files are new on every run, so a parent could only mislead the unchanged-file check;
      // chunk dedup still stores nothing twice.
      parent: 'none',
      // Inline sealing: resources are small, and worker threads cannot load TypeScript under tsx.
      sealWorkers: 0,
      tags: { cluster: request.clusterId, definition: request.definitionId, job: request.jobId },
      onCheckpoint: () => phase('storing'),
    });
    const namespaces = [...new Set(resources.flatMap((r) => (r.namespace ? [r.namespace] : [])))].sort();
    return {
      version: 1,
      snapshotId: snapshot.id,
      resourceCount: resources.length,
      namespaces,
      files: snapshot.stats.files,
      bytes: snapshot.stats.bytes,
      bytesStored: snapshot.stats.newBytesStored,
    };
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

/** The agent's backup activities; cluster-side, over an injected Kubernetes client. */
export function clusterBackupActivities(deps: ClusterBackupDeps) {
  return {
    /** Takes `unknown`: the message is decoded by version (proto/agent), since the sender may be newer. */
    async exportResourcesToRepository(message: unknown): Promise<ExportResourcesResult> {
      let location = '(unknown repository)';
      try {
        const request = exportResourcesRequestCodec.decode(message);
        location = request.repository.location;
        return await withHeartbeats((phase) => exportInto(deps, request, phase));
      } catch (error) {
        throw toActivityFailure(error, location);
      }
    },
  };
}

export type ClusterBackupActivities = ReturnType<typeof clusterBackupActivities>;
