import { ApplicationFailure } from '@temporalio/workflow';
import type { ClusterStorageClassActivities } from '../activities/cluster/restore/restore-from-repository-storage-classes.js';
import type { ClusterRestoreVolumeActivities } from '../activities/cluster/restore/restore-volume-activities.js';
import type { ControlActivities } from '../activities/control/index.js';
import type { RestoreSource } from '../activities/control/restore-source.js';
import { mappedName } from '../lib/domain/name-map.js';
import type { RestoreRunInput } from '../lib/domain/runs/restore-run.js';
import type { RestoreVolumeProgress } from './restore-progress.js';
import { copyVolumes, plannedVolumes, snapshotVolumes, type PointVolume } from './restore-volumes.js';

type TargetAgent = ClusterStorageClassActivities & ClusterRestoreVolumeActivities;

/** The target's agent is connected and has every storage class the remap names (else AGENT_NOT_CONNECTED, STORAGE_CLASS_MISSING). */
export async function checkTarget(control: ControlActivities, agent: TargetAgent, input: RestoreRunInput): Promise<void> {
  const notConnected = await control.agentNotConnectedReason({ clusterId: input.targetClusterId });
  if (notConnected) throw ApplicationFailure.nonRetryable(notConnected, 'AGENT_NOT_CONNECTED');
  const remapped = Object.values(input.transforms.storageClassMapping);
  const { missing } = await agent.missingStorageClasses({ version: 1, storageClasses: remapped });
  if (missing.length > 0) {
    throw ApplicationFailure.nonRetryable(`the target cluster has no storage class ${missing.map((m) => `"${m}"`).join(', ')} that the storage-class remap names`, 'STORAGE_CLASS_MISSING');
  }
}

/** The recovery point's PVs this restore brings back: from their snapshots, from their copies, and how each reads in the progress. */
export interface RestoredVolumes {
  fromSnapshots: ReturnType<typeof snapshotVolumes>;
  fromCopies: (ReturnType<typeof copyVolumes>[number] & { paths?: string[] })[];
  planned: RestoreVolumeProgress[];
  /** Classes the copies land in, when not those of the point's claims remapped (a volume restored alone may choose its own). */
  copyClasses?: string[];
}

export function restoredVolumes(source: RestoreSource, input: RestoreRunInput): RestoredVolumes {
  const points: PointVolume[] = source.persistentVolumes;
  if ((input.selection.volumes ?? []).length > 0) return volumesRestoredAlone(points, input);
  const fromSnapshots = input.persistentVolumes.include ? snapshotVolumes(points, input.selection.namespaces) : [];
  const fromCopies = input.persistentVolumes.include ? copyVolumes(points, input.selection.namespaces) : [];
  const brought = [...fromSnapshots, ...fromCopies];
  const planned = plannedVolumes(points.filter((v) => brought.some((b) => b.namespace === v.namespace && b.claim === v.claim)), []);
  return { fromSnapshots, fromCopies, planned };
}

/**
 * A granular volume restore: each chosen PV's copy fills a new claim, under the claim's new names (which
 * is how the agent reports it and the progress shows it), with only the chosen paths when there are any.
 * Only copies can: a CSI snapshot restores a whole volume, and only as the claim it was.
 */
function volumesRestoredAlone(points: readonly PointVolume[], input: RestoreRunInput): RestoredVolumes {
  const fromCopies = (input.selection.volumes ?? []).map((volume) => {
    const point = points.find((p) => p.namespace === volume.namespace && p.claim === volume.claim);
    if (!point?.copySnapshotId) {
      throw ApplicationFailure.nonRetryable(`the recovery point holds no copy of the PV of claim ${volume.namespace}/${volume.claim}: only a copied PV can be restored alone into a new claim`, 'VOLUME_NOT_COPIED');
    }
    return { namespace: volume.targetNamespace, claim: volume.targetClaim, copySnapshotId: point.copySnapshotId, volumeMode: point.volumeMode ?? 'Filesystem', paths: volume.paths, method: point.method, storageClass: volume.storageClass ?? mappedName(input.transforms.storageClassMapping, point.storageClass) ?? point.storageClass };
  });
  return {
    fromSnapshots: [],
    fromCopies: fromCopies.map(({ method: _method, storageClass: _class, ...copy }) => copy),
    planned: fromCopies.map(({ namespace, claim, method }) => ({ namespace, claim, method, state: 'PENDING' })),
    copyClasses: [...new Set(fromCopies.map((c) => c.storageClass))],
  };
}

/**
 * The target can take these PVs: the class each copy lands in exists (else its claim stays Pending
 * forever: STORAGE_CLASS_MISSING), and each snapshot can be restored there through the CSI driver that
 * took it (SNAPSHOT_RESTORE_UNSUPPORTED).
 */
export async function checkVolumesRestorable(agent: TargetAgent, input: RestoreRunInput, source: RestoreSource, volumes: RestoredVolumes): Promise<void> {
  const { fromSnapshots, fromCopies } = volumes;
  const { storageClassMapping } = input.transforms;
  // A copy goes into any class, but the one it lands in must exist or its claim stays Pending forever.
  const copied = source.persistentVolumes.filter((v) => fromCopies.some((c) => c.claim === v.claim && c.namespace === v.namespace));
  const copyClasses = volumes.copyClasses ?? [...new Set(copied.map((v) => mappedName(storageClassMapping, v.storageClass) ?? v.storageClass))];
  const noClass = (await agent.missingStorageClasses({ version: 1, storageClasses: copyClasses.filter(Boolean) })).missing;
  if (noClass.length > 0) {
    throw ApplicationFailure.nonRetryable(`the target cluster has no storage class ${noClass.map((m) => `"${m}"`).join(', ')} for the copied PVs: remap it to one of the target's classes`, 'STORAGE_CLASS_MISSING');
  }
  if (fromSnapshots.length > 0) {
    const { problems } = await agent.checkSnapshotRestore({ version: 1, storageClassMapping, volumes: fromSnapshots });
    if (problems.length > 0) throw ApplicationFailure.nonRetryable(`PVs cannot be restored from their snapshots: ${problems.join('; ')}`, 'SNAPSHOT_RESTORE_UNSUPPORTED');
  }
}
