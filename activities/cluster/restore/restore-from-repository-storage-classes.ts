import { missingStorageClassesRequestCodec, type MissingStorageClassesResult } from '../../../proto/agent/index.js';
import { toActivityFailure } from '../../common/failures.js';
import type { KubeRestClient } from '../../../lib/kube/rest-client.js';

/**
 * The restore's validation on the target: a storage class a remap points at must exist there, or every
 * claim remapped to it would stay Pending after the restore "succeeded".
 */
export function clusterStorageClassActivities(deps: { kube: KubeRestClient }) {
  return {
    /** Takes `unknown`: decoded by version (proto/agent), since the sender may be newer. */
    async missingStorageClasses(message: unknown): Promise<MissingStorageClassesResult> {
      try {
        const request = missingStorageClassesRequestCodec.decode(message);
        if (request.storageClasses.length === 0) return { version: 1, missing: [] };
        const present = new Set<string>();
        for await (const item of deps.kube.list<{ metadata: { name: string } }>('/apis/storage.k8s.io/v1/storageclasses')) present.add(item.metadata.name);
        return { version: 1, missing: [...new Set(request.storageClasses)].filter((name) => !present.has(name)).sort() };
      } catch (error) {
        throw toActivityFailure(error, '(no repository)');
      }
    },
  };
}

export type ClusterStorageClassActivities = ReturnType<typeof clusterStorageClassActivities>;
