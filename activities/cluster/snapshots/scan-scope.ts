import { CoreV1Api, type KubeConfig, type V1PersistentVolume, type V1PersistentVolumeClaim, type V1Pod } from '@kubernetes/client-node';
import type { BackupVolume, ScanBackupScopeResult } from '../../../proto/agent/index.js';
import { matchesLabels } from '../../../lib/common/label-selector.js';
import { namespaceInScope, type ExportSelection } from '../export/selection.js';
import { isNotFound, SnapshotApi } from './snapshot-api.js';
import { snapshotClassFor } from './snapshot-classes.js';
import { quantityBytes } from './quantity.js';

/** Volume sources that are not CSI, named as a person knows them. */
const NON_CSI_SOURCES = ['nfs', 'local', 'hostPath', 'iscsi', 'fc', 'cephfs', 'rbd', 'glusterfs', 'awsElasticBlockStore', 'gcePersistentDisk', 'azureDisk', 'azureFile'] as const;

function claimsSelected(selection: ExportSelection): boolean {
  return selection.resourceTypes.length === 0 || selection.resourceTypes.includes('persistentvolumeclaims');
}

function sourceKind(pv: V1PersistentVolume): string {
  const spec = (pv.spec ?? {}) as Record<string, unknown>;
  return NON_CSI_SOURCES.find((kind) => spec[kind] !== undefined) ?? 'unknown';
}

/**
 * The namespaces a run covers and the claims in them, each with how it could be snapshotted or why it
 * cannot. The definition's selection applies to PVs too: namespaces, labels (on the claim) and types.
 */
export async function scanBackupScope(kubeConfig: KubeConfig, selection: ExportSelection): Promise<Omit<ScanBackupScopeResult, 'version'>> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const namespaces = (await core.listNamespace()).items
    .map((ns) => ns.metadata?.name ?? '')
    .filter((name) => name && namespaceInScope(selection, name))
    .sort();
  if (!claimsSelected(selection)) return { namespaces, volumes: [] };

  const classes = await new SnapshotApi(kubeConfig).listClasses();
  const volumes: BackupVolume[] = [];
  const podVolumes: NonNullable<ScanBackupScopeResult['podVolumes']> = [];
  for (const namespace of namespaces) {
    const pods = (await core.listNamespacedPod({ namespace })).items.filter((pod) => pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed');
    const mounted = mountedClaims(pods);
    // Pods the labels leave out are not in the backup at all: their volumes are not worth a warning.
    podVolumes.push(...unprotectedPodVolumes(pods.filter((pod) => matchesLabels(selection.labels, pod.metadata?.labels ?? {}))));
    const claims = (await core.listNamespacedPersistentVolumeClaim({ namespace })).items
      .filter((pvc) => matchesLabels(selection.labels, pvc.metadata?.labels ?? {}))
      .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
    for (const pvc of claims) volumes.push({ ...(await describeClaim(core, classes, namespace, pvc)), attached: mounted.has(pvc.metadata?.name ?? '') });
  }
  return { namespaces, volumes, podVolumes };
}

/** hostPath and emptyDir volumes: node-local data no copy reads. */
function unprotectedPodVolumes(pods: readonly V1Pod[]): NonNullable<ScanBackupScopeResult['podVolumes']> {
  return pods.flatMap((pod) =>
    (pod.spec?.volumes ?? []).flatMap((volume) => {
      const type = volume.hostPath ? ('hostPath' as const) : volume.emptyDir ? ('emptyDir' as const) : undefined;
      return type ? [{ namespace: pod.metadata?.namespace ?? '', pod: pod.metadata?.name ?? '', volume: volume.name, type }] : [];
    }),
  );
}

/** Claims that pods which have not finished mount: the rest are "unattached". */
function mountedClaims(pods: readonly V1Pod[]): Set<string> {
  return new Set(pods.flatMap((pod) => (pod.spec?.volumes ?? []).flatMap((v) => (v.persistentVolumeClaim?.claimName ? [v.persistentVolumeClaim.claimName] : []))));
}

async function readVolume(core: CoreV1Api, name: string): Promise<V1PersistentVolume | undefined> {
  try {
    return await core.readPersistentVolume({ name });
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

async function describeClaim(core: CoreV1Api, classes: Awaited<ReturnType<SnapshotApi['listClasses']>>, namespace: string, pvc: V1PersistentVolumeClaim): Promise<BackupVolume> {
  const claim = pvc.metadata?.name ?? '';
  const volumeName = pvc.spec?.volumeName ?? '';
  const pv = volumeName ? await readVolume(core, volumeName) : undefined;
  const base = {
    namespace,
    claim,
    storageClass: pvc.spec?.storageClassName ?? pv?.spec?.storageClassName ?? '',
    volumeName,
    volumeMode: (pvc.spec?.volumeMode === 'Block' ? 'Block' : 'Filesystem') as BackupVolume['volumeMode'],
    sizeBytes: quantityBytes(pv?.spec?.capacity?.storage ?? pvc.spec?.resources?.requests?.storage),
    accessModes: pvc.spec?.accessModes ?? pv?.spec?.accessModes ?? [],
  };
  if (!pv || pvc.status?.phase !== 'Bound') {
    return { ...base, unsupportedReason: `the claim is not bound to a volume (phase ${pvc.status?.phase ?? 'unknown'}); there is no data to snapshot` };
  }
  const driver = pv.spec?.csi?.driver;
  if (!driver) return { ...base, unsupportedReason: `volume ${volumeName} is not a CSI volume (${sourceKind(pv)}): it cannot be snapshotted` };
  if (classes === null) {
    return { ...base, driver, unsupportedReason: 'the cluster does not serve snapshot.storage.k8s.io/v1 (the VolumeSnapshot CRDs and controller are not installed)' };
  }
  const snapshotClass = snapshotClassFor(classes, driver);
  if (!snapshotClass) return { ...base, driver, unsupportedReason: `no VolumeSnapshotClass for CSI driver ${driver}: it cannot be snapshotted` };
  return { ...base, driver, snapshotClass };
}
