import { proxyActivities } from '@temporalio/workflow';
import type { ClusterRestoreVolumeActivities } from '../activities/cluster/restore/restore-volume-activities.js';
import type { RestoreSource } from '../activities/control/restore-source.js';
import type { RestoreRunInput } from '../lib/domain/runs/restore-run.js';
import type { RepositoryAccess, RestoreResourcesRequest, RestoreResourcesRequestV1 } from '../proto/agent/index.js';
import type { EmptiedClaim, RestoredClaim, RestoredClaimState } from '../proto/agent/restore-volumes.js';
import { snapshotWait } from './activity-profiles.js';
import type { RestoredVolumes } from './restore-checks.js';
import type { CopyToFill } from './restore-copies.js';
import { DEFAULT_SNAPSHOT_PROVISIONING_TIMEOUT_MINUTES } from './restore-volumes.js';

/**
 * What the target's agent restores: the point's resources snapshot, with the claims of snapshotted PVs
 * pointed at their snapshots and those of copied PVs created empty (for mover pods to fill).
 */
export function restoreResourcesRequest(input: RestoreRunInput, source: RestoreSource, repository: RepositoryAccess, volumes: RestoredVolumes): RestoreResourcesRequest {
  const { fromSnapshots, fromCopies } = volumes;
  const granularVolumes = input.selection.volumes ?? [];
  return {
    version: 2,
    jobId: input.jobId,
    clusterId: input.targetClusterId,
    snapshotId: source.resourcesSnapshotId,
    repository,
    ...(granularVolumes.length > 0 ? volumeRestoreParts(input, source) : { selection: { ...input.selection, resources: input.selection.resources ?? [], volumes: [] }, transforms: input.transforms }),
    existingResources: input.existingResources,
    ...(fromSnapshots.length > 0 ? { snapshotVolumes: fromSnapshots } : {}),
    ...(fromCopies.length > 0 ? { copyVolumes: fromCopies.map(({ namespace, claim }) => ({ namespace, claim })) } : {}),
  };
}

/**
 * A volume restored alone into a new claim: the agent writes only that claim (and its namespace), under its
 * new names, so the other selection fields and namespace renames have nothing to act on; a chosen class is
 * a remap of the claim's backed-up one.
 */
function volumeRestoreParts(input: RestoreRunInput, source: RestoreSource): Pick<RestoreResourcesRequest, 'selection' | 'transforms'> {
  const volumes = input.selection.volumes ?? [];
  const classes = { ...input.transforms.storageClassMapping };
  for (const volume of volumes) {
    const backedUp = source.persistentVolumes.find((v) => v.namespace === volume.namespace && v.claim === volume.claim)?.storageClass;
    if (volume.storageClass && backedUp) classes[backedUp] = volume.storageClass;
  }
  return {
    selection: {
      namespaces: [],
      resourceTypes: [],
      labels: '',
      resources: [],
      volumes: volumes.map(({ namespace, claim, targetNamespace, targetClaim }) => ({ namespace, claim, targetNamespace, targetClaim })),
    },
    transforms: { ...input.transforms, namespacePrefix: '', namespaceSuffix: '', namespaceMapping: {}, storageClassMapping: classes },
  };
}

/** The oldest message that says it: v1 when nothing granular is asked, so agents of before v2 still restore. */
export function restoreResourcesMessage(request: RestoreResourcesRequest): RestoreResourcesRequest | RestoreResourcesRequestV1 {
  const { resources, volumes, ...selection } = request.selection;
  if (resources.length > 0 || volumes.length > 0) return request;
  return { ...request, version: 1, selection };
}

/** Each claim created empty, with the copy that fills it. */
export function copiesToFill(emptied: readonly EmptiedClaim[], volumes: RestoredVolumes): CopyToFill[] {
  return emptied.map((claim) => ({ claim, copy: volumes.fromCopies.find((c) => c.namespace === claim.namespace && c.claim === claim.claim)! }));
}

/** Waits, within the provisioning timeout, until the claims created from snapshots are provisioned (or failed). */
export async function awaitSnapshotClaims(taskQueue: string, created: RestoredClaim[]): Promise<RestoredClaimState[]> {
  const timeoutMs = DEFAULT_SNAPSHOT_PROVISIONING_TIMEOUT_MINUTES * 60_000;
  const agent = proxyActivities<ClusterRestoreVolumeActivities>({ ...snapshotWait(timeoutMs), taskQueue });
  const { claims } = await agent.awaitRestoredClaims({ version: 1, claims: created, timeoutSeconds: timeoutMs / 1000 });
  return claims;
}

/** The snapshot sources that may go: a claim still waiting for its first consumer needs its source until it is provisioned. */
export function releasableSources(created: readonly RestoredClaim[], states: readonly RestoredClaimState[]): RestoredClaim[] {
  const waiting = new Set(states.filter((c) => c.state === 'WAITING_FOR_CONSUMER').map((c) => `${c.targetNamespace}/${c.claim}`));
  return created.filter((c) => !waiting.has(`${c.targetNamespace}/${c.claim}`));
}
