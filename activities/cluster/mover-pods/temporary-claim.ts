import type { V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { MOVER_COMPONENTS, type CreateSnapshotClaimRequest } from '../../../proto/mover/index.js';
import { jobLabels } from './mover-pod-spec.js';

const MAX_NAME = 253;

/** Derived from the job and the source claim, so a retried create finds its own claim. */
export function temporaryClaimName(jobId: string, sourceClaim: string): string {
  const prefix = `haven-copy-${jobId}-`;
  return `${prefix}${sourceClaim.slice(0, MAX_NAME - prefix.length)}`.replace(/[-.]+$/, '');
}

/**
 * A claim restored from the run's VolumeSnapshot: what the mover pod mounts to read the point in time.
 * ReadWriteOnce is enough (one pod reads it) and every provisioner supports it.
 */
export function snapshotClaim(request: CreateSnapshotClaimRequest): V1PersistentVolumeClaim {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name: temporaryClaimName(request.jobId, request.sourceClaim),
      namespace: request.namespace,
      labels: { ...jobLabels(request.jobId, MOVER_COMPONENTS.temporaryClaim), 'haven.io/source-claim': request.sourceClaim.slice(0, 63) },
    },
    spec: {
      accessModes: ['ReadWriteOnce'],
      volumeMode: request.volumeMode,
      ...(request.storageClass ? { storageClassName: request.storageClass } : {}),
      resources: { requests: { storage: String(request.sizeBytes) } },
      dataSource: { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: request.snapshotName },
    },
  };
}
