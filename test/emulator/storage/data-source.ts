import type { V1PersistentVolumeClaim, V1StorageClass } from '@kubernetes/client-node';
import type { EmulatorContext } from '../support/context.js';
import { readOptional, volumeSnapshotContents, volumeSnapshots } from '../support/kube-api.js';
import { parseQuantity } from '../support/quantity.js';
import type { EmulatedDriver } from './storage-classes.js';
import { volumeHandleOf } from './volume-store.js';

export type DataSourceResolution =
  | { kind: 'empty' }
  | { kind: 'copy'; path: string }
  | { kind: 'failed'; message: string };

interface SnapshotShape {
  status?: { readyToUse?: boolean; boundVolumeSnapshotContentName?: string };
}
interface ContentShape {
  spec?: { driver?: string };
  status?: { snapshotHandle?: string; restoreSize?: number };
}

/**
 * Where a new volume's initial data comes from: nothing, a snapshot of the same driver, or another PVC
 * (a clone). The failure messages follow the CSI external-provisioner's, which Haven must recognise.
 */
export async function resolveDataSource(
  ctx: EmulatorContext,
  pvc: V1PersistentVolumeClaim,
  storageClass: V1StorageClass,
  driver: EmulatedDriver,
): Promise<DataSourceResolution> {
  const source = pvc.spec?.dataSourceRef ?? pvc.spec?.dataSource;
  if (!source) return { kind: 'empty' };
  const namespace = pvc.metadata?.namespace ?? '';
  const requested = parseQuantity(pvc.spec?.resources?.requests?.storage);

  if (source.kind === 'VolumeSnapshot' && source.apiGroup === 'snapshot.storage.k8s.io') {
    const prefix = `error getting handle for DataSource Type VolumeSnapshot by Name ${source.name}`;
    if (driver.source !== 'csi' || !driver.snapshots) {
      return { kind: 'failed', message: `${prefix}: driver ${driver.provisioner} does not support restoring volumes from snapshots` };
    }
    const snapshot = (await readOptional(() =>
      ctx.api.custom.getNamespacedCustomObject({ ...volumeSnapshots, namespace, name: source.name }),
    )) as SnapshotShape | undefined;
    if (!snapshot) {
      return { kind: 'failed', message: `${prefix}: error getting snapshot ${source.name} from api server: volumesnapshots.snapshot.storage.k8s.io "${source.name}" not found` };
    }
    const contentName = snapshot.status?.boundVolumeSnapshotContentName;
    if (!snapshot.status?.readyToUse || !contentName) return { kind: 'failed', message: `${prefix}: snapshot ${source.name} is not Ready` };
    const content = (await readOptional(() =>
      ctx.api.custom.getClusterCustomObject({ ...volumeSnapshotContents, name: contentName }),
    )) as ContentShape | undefined;
    const handle = content?.status?.snapshotHandle;
    if (!content || !handle) return { kind: 'failed', message: `${prefix}: snapshot content ${contentName} has no snapshot handle` };
    if (content.spec?.driver !== storageClass.provisioner) {
      return {
        kind: 'failed',
        message: `${prefix}: snapshot content ${contentName} belongs to driver ${content.spec?.driver}, not to ${storageClass.provisioner}`,
      };
    }
    const size = content.status?.restoreSize ?? 0;
    if (requested < size) {
      return { kind: 'failed', message: `requested volume size ${requested} is less than the size ${size} for the source snapshot ${source.name}` };
    }
    if (!(await ctx.store.hasSnapshot(handle))) return { kind: 'failed', message: `${prefix}: snapshot ${handle} not found on the storage backend` };
    return { kind: 'copy', path: ctx.store.snapshotPath(handle) };
  }

  if (source.kind === 'PersistentVolumeClaim' && !source.apiGroup) {
    const prefix = `error getting handle for DataSource Type PersistentVolumeClaim by Name ${source.name}`;
    const origin = await readOptional(() => ctx.api.core.readNamespacedPersistentVolumeClaim({ namespace, name: source.name }));
    if (!origin?.spec?.volumeName) return { kind: 'failed', message: `${prefix}: claim ${source.name} is not bound` };
    const pv = await ctx.api.core.readPersistentVolume({ name: origin.spec.volumeName });
    const handle = volumeHandleOf(pv);
    if (pv.spec?.csi?.driver !== storageClass.provisioner || !handle) {
      return { kind: 'failed', message: `${prefix}: the source PVC and destination PVCs must use the same storage class driver` };
    }
    return { kind: 'copy', path: ctx.store.volumePath(handle) };
  }

  return { kind: 'failed', message: `data source ${source.apiGroup ?? 'core'}/${source.kind} is not supported by ${driver.provisioner}` };
}
