import { SNAPSHOT_LABELS, type CreateVolumeSnapshotRequest } from '../../../proto/agent/index.js';
import { HAVEN_MANAGER } from '../../../proto/mover/names.js';
import { isConflict, type SnapshotApi, type VolumeSnapshotObject } from './snapshot-api.js';
import { snapshotNameFor } from './snapshot-name.js';

export class SnapshotNameTakenError extends Error {
  override readonly name = 'SnapshotNameTakenError';
  readonly code = 'SNAPSHOT_NAME_TAKEN';
}

/**
 * Creates the run's VolumeSnapshot of a claim. A retry after a lost answer finds its own snapshot (same
 * name, same job label) and returns it; a same-named snapshot of someone else's is an error, never adopted.
 */
export async function createVolumeSnapshot(api: SnapshotApi, request: CreateVolumeSnapshotRequest): Promise<string> {
  const name = snapshotNameFor(request.jobId, request.claim);
  const body: VolumeSnapshotObject = {
    apiVersion: 'snapshot.storage.k8s.io/v1',
    kind: 'VolumeSnapshot',
    metadata: {
      name,
      namespace: request.namespace,
      labels: { [SNAPSHOT_LABELS.managedBy]: HAVEN_MANAGER, [SNAPSHOT_LABELS.job]: request.jobId, [SNAPSHOT_LABELS.definition]: request.definitionId },
    },
    spec: { volumeSnapshotClassName: request.snapshotClass, source: { persistentVolumeClaimName: request.claim } },
  };
  try {
    await api.create(body);
    return name;
  } catch (error) {
    if (!isConflict(error)) throw error;
  }
  const existing = await api.get(request.namespace, name);
  if (existing?.metadata.labels?.[SNAPSHOT_LABELS.job] === request.jobId && existing.spec.source.persistentVolumeClaimName === request.claim) return name;
  throw new SnapshotNameTakenError(`VolumeSnapshot ${request.namespace}/${name} already exists and was not created by job ${request.jobId}`);
}
