import { ApiException, CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';

/** The v1 snapshot API (external-snapshotter CRDs), as its objects travel on the wire. */
export const SNAPSHOT_GROUP = { group: 'snapshot.storage.k8s.io', version: 'v1' } as const;

export interface VolumeSnapshotObject {
  apiVersion: 'snapshot.storage.k8s.io/v1';
  kind: 'VolumeSnapshot';
  metadata: { name: string; namespace: string; uid?: string; labels?: Record<string, string>; deletionTimestamp?: string };
  spec: { volumeSnapshotClassName?: string; source: { persistentVolumeClaimName?: string } };
  status?: {
    boundVolumeSnapshotContentName?: string;
    creationTime?: string;
    readyToUse?: boolean;
    restoreSize?: string;
    error?: { message?: string; time?: string };
  };
}

export interface VolumeSnapshotContentObject {
  metadata: { name: string; annotations?: Record<string, string>; deletionTimestamp?: string };
  spec?: { driver?: string; deletionPolicy?: string };
  status?: { snapshotHandle?: string; readyToUse?: boolean; restoreSize?: number; error?: { message?: string } };
}

export interface VolumeSnapshotClassObject {
  metadata: { name: string; annotations?: Record<string, string> };
  driver: string;
  deletionPolicy: string;
}

export function isNotFound(error: unknown): boolean {
  return error instanceof ApiException && error.code === 404;
}

export function isConflict(error: unknown): boolean {
  return error instanceof ApiException && error.code === 409;
}

/** Reads and writes VolumeSnapshots, their contents and classes; null where the object does not exist. */
export class SnapshotApi {
  private readonly custom: CustomObjectsApi;

  constructor(kubeConfig: KubeConfig) {
    this.custom = kubeConfig.makeApiClient(CustomObjectsApi);
  }

  /** null when the cluster does not serve the snapshot CRDs at all. */
  async listClasses(): Promise<VolumeSnapshotClassObject[] | null> {
    try {
      const list = (await this.custom.listClusterCustomObject({ ...SNAPSHOT_GROUP, plural: 'volumesnapshotclasses' })) as { items: VolumeSnapshotClassObject[] };
      return list.items;
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async create(snapshot: VolumeSnapshotObject): Promise<VolumeSnapshotObject> {
    return (await this.custom.createNamespacedCustomObject({
      ...SNAPSHOT_GROUP,
      plural: 'volumesnapshots',
      namespace: snapshot.metadata.namespace,
      body: snapshot,
    })) as VolumeSnapshotObject;
  }

  async get(namespace: string, name: string): Promise<VolumeSnapshotObject | null> {
    try {
      return (await this.custom.getNamespacedCustomObject({ ...SNAPSHOT_GROUP, plural: 'volumesnapshots', namespace, name })) as VolumeSnapshotObject;
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async getContent(name: string): Promise<VolumeSnapshotContentObject | null> {
    try {
      return (await this.custom.getClusterCustomObject({ ...SNAPSHOT_GROUP, plural: 'volumesnapshotcontents', name })) as VolumeSnapshotContentObject;
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  /** A JSON merge patch; null when the content does not exist. */
  async patchContent(name: string, body: object): Promise<VolumeSnapshotContentObject | null> {
    try {
      return (await this.custom.patchClusterCustomObject(
        { ...SNAPSHOT_GROUP, plural: 'volumesnapshotcontents', name, body },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      )) as VolumeSnapshotContentObject;
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  /** Idempotent: a content already gone counts as deleted. */
  async deleteContent(name: string): Promise<void> {
    try {
      await this.custom.deleteClusterCustomObject({ ...SNAPSHOT_GROUP, plural: 'volumesnapshotcontents', name });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  /** Idempotent: a snapshot already gone counts as deleted. */
  async delete(namespace: string, name: string): Promise<void> {
    try {
      await this.custom.deleteNamespacedCustomObject({ ...SNAPSHOT_GROUP, plural: 'volumesnapshots', namespace, name });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}
