import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Context } from '@temporalio/activity';
import { drillCheckRequestCodec, drillCleanupRequestCodec, type DrillCheckResult } from '../../../proto/agent/drill-check.js';
import { runRestore } from '../../../lib/datamover/restore/restore.js';
import { KubeApiError, type KubeRestClient } from '../../../lib/kube/rest-client.js';
import { isProtectedNamespace } from '../../../lib/domain/protected-namespaces.js';
import { toActivityFailure } from '../../common/failures.js';
import { withHeartbeats } from '../../common/heartbeats.js';
import { openRepository } from '../../common/open-repository.js';
import { REPLICA_LABELS } from '../replication/reset-namespaces.js';
import { readResourceTree } from '../restore/read-resource-tree.js';
import { awaitWorkloadsReady } from './await-ready.js';
import { compareRestoredResources } from './compare-resources.js';

export interface ClusterDrillDeps {
  kube: KubeRestClient;
  scratchDirectory?: string;
}

/** The agent's part of a restore drill: judging the restored copy, then removing it. */
export function clusterDrillActivities(deps: ClusterDrillDeps) {
  return {
    /**
     * Waits for the scratch namespaces' workloads, then reads the recovery point's resource tree again
     * (as the restore did) and compares every restored object with it. Takes `unknown`: decoded by version.
     */
    async checkDrillCopy(message: unknown): Promise<DrillCheckResult> {
      let location = '(unknown repository)';
      try {
        const request = drillCheckRequestCodec.decode(message);
        location = request.repository.location;
        const targets = request.namespaces.map((n) => n.target);
        return await withHeartbeats(async (phase) => {
          const readiness = await awaitWorkloadsReady(deps.kube, targets, request.readinessTimeoutSeconds * 1000, {
            signal: Context.current().cancellationSignal,
            onPoll: (waiting) => phase(`waiting for ${waiting} workloads to become ready`),
          });
          phase('comparing resources');
          const directory = await mkdtemp(join(deps.scratchDirectory ?? tmpdir(), 'haven-drill-'));
          try {
            const repository = await openRepository(request.repository);
            await runRestore(repository, { snapshotId: request.resourcesSnapshotId, target: directory, restoreOwners: false });
            const entries = await readResourceTree(directory);
            const mapping = new Map(request.namespaces.map((n) => [n.source, n.target]));
            const resources = await compareRestoredResources(deps.kube, entries, mapping);
            return { version: 1, resourcesCompared: resources.compared, workloadsReady: readiness.ready, differences: [...readiness.differences, ...resources.differences] };
          } finally {
            await rm(directory, { recursive: true, force: true });
          }
        });
      } catch (error) {
        throw toActivityFailure(error, location);
      }
    },

    /**
     * Deletes the scratch namespaces this drill job created, and only those: a namespace without the job's
     * label (someone else's, or a protected one) is left alone whatever its name. Idempotent.
     */
    async cleanUpDrillNamespaces(message: unknown): Promise<{ deleted: string[] }> {
      try {
        const request = drillCleanupRequestCodec.decode(message);
        const deleted: string[] = [];
        for (const name of request.namespaces) {
          if (isProtectedNamespace(name)) continue;
          const path = `/api/v1/namespaces/${encodeURIComponent(name)}`;
          try {
            const namespace = await deps.kube.get<{ metadata?: { labels?: Record<string, string> } }>(path);
            if (namespace.metadata?.labels?.[REPLICA_LABELS.job] !== request.jobId) continue;
            await deps.kube.delete(path);
            deleted.push(name);
          } catch (error) {
            if (!(error instanceof KubeApiError && error.status === 404)) throw error;
          }
        }
        return { deleted };
      } catch (error) {
        throw toActivityFailure(error, '(no repository)');
      }
    },
  };
}

export type ClusterDrillActivities = ReturnType<typeof clusterDrillActivities>;
