import type { CheckSnapshotRestoreRequest } from '../../../proto/agent/restore-volumes.js';
import { KubeApiError, type KubeRestClient } from '../../../lib/kube/rest-client.js';
import { SNAPSHOT_API } from './snapshot-sources.js';
import { mappedName } from '../../../lib/domain/name-map.js';

interface Named {
  metadata: { name: string };
}

async function byName<T extends Named, V>(kube: KubeRestClient, path: string, value: (item: T) => V): Promise<Map<string, V> | null> {
  const found = new Map<string, V>();
  try {
    for await (const item of kube.list<T>(path)) found.set(item.metadata.name, value(item));
  } catch (error) {
    if (error instanceof KubeApiError && error.status === 404) return null;
    throw error;
  }
  return found;
}

/**
 * Why claims cannot be restored from their snapshots on this cluster: a snapshot restores only through
 * the CSI driver that took it, so the claim's class after the remap must exist and be provisioned by that
 * driver, and the driver must be installed. The snapshot's driver is read from its content when that
 * still exists here, else from its VolumeSnapshotClass, else from the claim's original class.
 */
export async function snapshotRestoreProblems(kube: KubeRestClient, request: CheckSnapshotRestoreRequest): Promise<string[]> {
  if (request.volumes.length === 0) return [];
  const classes = (await byName<Named & { provisioner: string }, string>(kube, '/apis/storage.k8s.io/v1/storageclasses', (c) => c.provisioner)) ?? new Map<string, string>();
  const drivers = (await byName<Named, true>(kube, '/apis/storage.k8s.io/v1/csidrivers', () => true)) ?? new Map<string, true>();
  const snapshotClasses = await byName<Named & { driver: string }, string>(kube, `${SNAPSHOT_API}/volumesnapshotclasses`, (c) => c.driver);
  if (!snapshotClasses) return ['the target cluster does not serve the VolumeSnapshot API (snapshot.storage.k8s.io/v1): install the snapshot CRDs and controller to restore PVs from snapshots'];

  const problems: string[] = [];
  for (const volume of request.volumes) {
    const claim = `claim ${volume.namespace}/${volume.claim}`;
    const targetClass = mappedName(request.storageClassMapping, volume.storageClass) ?? volume.storageClass;
    const driver =
      (volume.snapshotContentName ? await contentDriver(kube, volume.snapshotContentName) : undefined) ??
      (volume.snapshotClass ? snapshotClasses.get(volume.snapshotClass) : undefined) ??
      classes.get(volume.storageClass);
    const provisioner = classes.get(targetClass);
    if (provisioner === undefined) {
      problems.push(`${claim}: storage class "${targetClass}" does not exist on the target cluster`);
    } else if (!driver) {
      problems.push(`${claim}: cannot tell which CSI driver took its snapshot (the target has neither VolumeSnapshotClass "${volume.snapshotClass ?? ''}" nor storage class "${volume.storageClass}")`);
    } else if (provisioner !== driver) {
      problems.push(`${claim}: storage class "${targetClass}" is provisioned by ${provisioner}, but its snapshot was taken by CSI driver ${driver}; a snapshot restores only through the same driver, so remap "${volume.storageClass}" to a class of ${driver}`);
    } else if (!drivers.has(driver)) {
      problems.push(`${claim}: CSI driver ${driver} is not installed on the target cluster`);
    }
  }
  return problems;
}

async function contentDriver(kube: KubeRestClient, name: string): Promise<string | undefined> {
  try {
    return (await kube.get<{ spec?: { driver?: string } }>(`${SNAPSHOT_API}/volumesnapshotcontents/${encodeURIComponent(name)}`)).spec?.driver;
  } catch (error) {
    if (error instanceof KubeApiError && error.status === 404) return undefined;
    throw error;
  }
}
