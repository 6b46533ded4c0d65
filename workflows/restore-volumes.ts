import type { RestoreCopyVolume, RestoredClaimState, RestoreSnapshotVolume } from '../proto/agent/restore-volumes.js';
import type { CopiedVolume } from '../proto/mover/copied-volume.js';
import type { StoredRecoveryPointVolume } from '../lib/domain/recovery-point-contents.js';
import type { JobError } from './backup-summary.js';
import type { RestoreVolumeProgress } from './restore-progress.js';

/** How long restored claims may take to be provisioned from their snapshots before they are failed. */
export const DEFAULT_SNAPSHOT_PROVISIONING_TIMEOUT_MINUTES = 15;

const inSelection = (namespaces: readonly string[]) => (v: StoredRecoveryPointVolume) => namespaces.length === 0 || namespaces.includes(v.namespace);

/** The recovery point's PVs this restore brings back, before the agent knows which claims it creates. */
export function plannedVolumes(points: readonly StoredRecoveryPointVolume[], namespaces: readonly string[]): RestoreVolumeProgress[] {
  return points.filter(inSelection(namespaces)).map((v) => ({ namespace: v.namespace, claim: v.claim, method: v.method, state: 'PENDING' }));
}

/** The PVs of the selected namespaces held by a CSI snapshot, as the agent provisions claims from them. */
export function snapshotVolumes(points: readonly StoredRecoveryPointVolume[], namespaces: readonly string[]): RestoreSnapshotVolume[] {
  return points.filter(inSelection(namespaces)).flatMap((v) =>
    v.method === 'SNAPSHOT' && v.snapshotHandle
      ? [
          {
            namespace: v.namespace,
            claim: v.claim,
            storageClass: v.storageClass,
            snapshotHandle: v.snapshotHandle,
            ...(v.snapshotContentName ? { snapshotContentName: v.snapshotContentName } : {}),
            ...(v.snapshotClass ? { snapshotClass: v.snapshotClass } : {}),
            restoreSizeBytes: v.sizeBytes,
          },
        ]
      : [],
  );
}

const sameClaim = (a: { namespace: string; claim: string }) => (b: { namespace: string; claim: string }) => a.namespace === b.namespace && a.claim === b.claim;

/** A recovery point's PV as stored: copies carry where their data is in the repository. */
export type PointVolume = StoredRecoveryPointVolume & Partial<Pick<CopiedVolume, 'copySnapshotId'>>;

/** The PVs of the selected namespaces held as copies in the repository: claims created empty, then filled. */
export function copyVolumes(points: readonly PointVolume[], namespaces: readonly string[]): (RestoreCopyVolume & { copySnapshotId: string; volumeMode: 'Filesystem' | 'Block' })[] {
  return points
    .filter(inSelection(namespaces))
    .flatMap((v) => (v.copySnapshotId ? [{ namespace: v.namespace, claim: v.claim, copySnapshotId: v.copySnapshotId, volumeMode: v.volumeMode ?? 'Filesystem' }] : []));
}

/** After the resources: a claim the agent did not create keeps whatever data the target had. */
export function markCreated(volumes: RestoreVolumeProgress[], created: readonly { namespace: string; claim: string; targetNamespace: string }[]): void {
  for (const volume of volumes) {
    const claim = created.find(sameClaim(volume));
    if (claim) Object.assign(volume, { targetNamespace: claim.targetNamespace, state: 'PROVISIONING' });
    else Object.assign(volume, { state: 'NOT_RESTORED', reason: 'its claim was not created by this restore (it already existed, or the selection left it out)' });
  }
}

export function markProvisioned(volumes: RestoreVolumeProgress[], states: readonly RestoredClaimState[]): void {
  for (const state of states) {
    const volume = volumes.find(sameClaim(state));
    if (volume) Object.assign(volume, { state: state.state, ...(state.reason ? { reason: state.reason } : {}) });
  }
}

export function volumeErrors(volumes: readonly RestoreVolumeProgress[]): JobError[] {
  return volumes
    .filter((v) => v.state === 'FAILED')
    .map((v) => ({
      message: `PV of claim ${v.targetNamespace ?? v.namespace}/${v.claim} not restored: ${v.reason ?? 'no reason given'}`,
      resource: `persistentvolumeclaims/${v.targetNamespace ?? v.namespace}/${v.claim}`,
    }));
}

/** One clause for the job's message. */
export function volumeSummary(volumes: readonly RestoreVolumeProgress[]): string {
  const count = (state: RestoreVolumeProgress['state']) => volumes.filter((v) => v.state === state).length;
  const parts = [`${count('BOUND') + count('FILLED')} of ${volumes.length} PVs restored`];
  if (count('WAITING_FOR_CONSUMER') > 0) parts.push(`${count('WAITING_FOR_CONSUMER')} waiting for a pod to use them`);
  if (count('NOT_RESTORED') > 0) parts.push(`${count('NOT_RESTORED')} left as they were`);
  if (count('FAILED') > 0) parts.push(`${count('FAILED')} failed`);
  return parts.join(', ');
}
