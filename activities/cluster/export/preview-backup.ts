import { CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { ApplicationFailure } from '@temporalio/activity';
import {
  AgentMessageError,
  previewBackupRequestCodec,
  type PreviewBackupRequest,
  type PreviewBackupResult,
  type PreviewResourceType,
  type PreviewUnprotectedVolume,
} from '../../../proto/agent/index.js';
import { matchesLabels } from '../../../lib/common/label-selector.js';
import { toActivityFailure } from '../../common/failures.js';
import { withHeartbeats } from '../../common/heartbeats.js';
import type { KubeRestClient } from '../../../lib/kube/rest-client.js';
import { scanBackupScope } from '../snapshots/scan-scope.js';
import { exportResources, type ExportedResource } from './export-resources.js';
import { volumeMethods } from './preview-volume-methods.js';

export interface ClusterPreviewDeps {
  kube: KubeRestClient;
  kubeConfig: KubeConfig;
}

function byType(resources: ExportedResource[], maxNames: number): PreviewResourceType[] {
  const groups = new Map<string, ExportedResource[]>();
  for (const resource of resources) groups.set(resource.typeId, [...(groups.get(resource.typeId) ?? []), resource]);
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([typeId, members]) => {
      const names = members.map((r) => (r.namespace ? `${r.namespace}/${r.name}` : r.name)).sort();
      return {
        typeId,
        kind: members[0]?.kind ?? '',
        namespaced: members[0]?.namespace !== undefined,
        count: members.length,
        names: names.slice(0, maxNames),
        truncated: names.length > maxNames,
      };
    });
}

function unprotectedVolumes(pods: V1Pod[]): PreviewUnprotectedVolume[] {
  return pods.flatMap((pod) =>
    (pod.spec?.volumes ?? []).flatMap((volume): PreviewUnprotectedVolume[] => {
      const type = volume.hostPath ? 'hostPath' : volume.emptyDir ? 'emptyDir' : undefined;
      return type ? [{ namespace: pod.metadata?.namespace ?? '', pod: pod.metadata?.name ?? '', volume: volume.name, type }] : [];
    }),
  );
}

/**
 * Runs the same selection a backup's export and volume scan run, and reports instead of storing: the
 * preview and the run cannot disagree about what is selected because they share that code.
 */
export async function previewBackup(deps: ClusterPreviewDeps, request: PreviewBackupRequest): Promise<PreviewBackupResult> {
  const resources = await exportResources(deps.kube, request.selection);
  const namespaces = [...new Set(resources.flatMap((r) => (r.namespace ? [r.namespace] : [])))].sort();
  const scope = await scanBackupScope(deps.kubeConfig, request.selection);
  const core = deps.kubeConfig.makeApiClient(CoreV1Api);
  const pods = (await Promise.all(scope.namespaces.map(async (namespace) => (await core.listNamespacedPod({ namespace })).items))).flat();
  const methods = volumeMethods(scope.volumes, request.persistentVolumes);
  const volumes = scope.volumes.map((volume, index) => ({
    namespace: volume.namespace,
    claim: volume.claim,
    storageClass: volume.storageClass,
    volumeName: volume.volumeName,
    sizeBytes: volume.sizeBytes,
    ...methods[index]!,
  }));
  return {
    version: 1,
    namespaces,
    resourceCount: resources.length,
    resourceTypes: byType(resources, request.maxNamesPerType),
    volumes: volumes.map(({ reason, ...rest }) => (reason === undefined ? rest : { ...rest, reason })),
    // Pods the labels leave out are not in the backup at all, so their volumes are not worth a warning.
    notBackedUp: unprotectedVolumes(pods.filter((pod) => matchesLabels(request.selection.labels, pod.metadata?.labels ?? {}))),
  };
}

/** The agent's preview activity; the message is decoded by version like every agent contract. */
export function clusterPreviewActivities(deps: ClusterPreviewDeps) {
  return {
    async previewBackup(message: unknown): Promise<PreviewBackupResult> {
      try {
        const request = previewBackupRequestCodec.decode(message);
        return await withHeartbeats(() => previewBackup(deps, request));
      } catch (error) {
        if (error instanceof AgentMessageError) throw ApplicationFailure.nonRetryable(error.message, error.code);
        throw toActivityFailure(error, 'the cluster');
      }
    },
  };
}

export type ClusterPreviewActivities = ReturnType<typeof clusterPreviewActivities>;
