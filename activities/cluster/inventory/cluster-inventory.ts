import {
  clusterInventoryRequestCodec,
  INVENTORY_LIMITS,
  type ClusterInventoryResult,
  type InventoryNamespace,
  type InventoryResourceType,
  type InventoryStorageClass,
} from '../../../proto/agent/index.js';
import { toActivityFailure } from '../../common/failures.js';
import type { KubeRestClient } from '../../../lib/kube/rest-client.js';
import { discoverServedTypes, listAll, type ServedType } from '../export/discovery.js';
import { SNAPSHOT_GROUP, type VolumeSnapshotClassObject } from '../snapshots/snapshot-api.js';
import { DEFAULT_SNAPSHOT_CLASS_ANNOTATION, snapshotClassFor } from '../snapshots/snapshot-classes.js';

export interface ClusterInventoryDeps {
  kube: KubeRestClient;
}

interface NamespaceObject {
  metadata: { name: string; labels?: Record<string, string> };
  status?: { phase?: string };
}

interface StorageClassObject {
  metadata: { name: string; annotations?: Record<string, string> };
  provisioner: string;
  reclaimPolicy?: string;
  volumeBindingMode?: string;
  allowVolumeExpansion?: boolean;
}

/** The GA annotation and the beta one older clusters still carry. */
const DEFAULT_STORAGE_CLASS_ANNOTATIONS = ['storageclass.kubernetes.io/is-default-class', 'storageclass.beta.kubernetes.io/is-default-class'];

const byName = <T extends { metadata: { name: string } }>(a: T, b: T) => a.metadata.name.localeCompare(b.metadata.name);

/** The first `limit` items, and whether any were left out. */
function cut<T>(items: readonly T[], limit: number): [T[], boolean] {
  return [items.slice(0, limit), items.length > limit];
}

function namespaces(objects: NamespaceObject[]): { items: InventoryNamespace[]; truncated: boolean; labelsTruncated: boolean } {
  const [kept, truncated] = cut([...objects].sort(byName), INVENTORY_LIMITS.namespaces);
  let labelsTruncated = false;
  const items = kept.map((ns) => {
    const [labels, cutLabels] = cut(Object.entries(ns.metadata.labels ?? {}).sort(([a], [b]) => a.localeCompare(b)), INVENTORY_LIMITS.labelsPerNamespace);
    labelsTruncated ||= cutLabels;
    return { name: ns.metadata.name, phase: ns.status?.phase ?? '', labels: Object.fromEntries(labels) };
  });
  return { items, truncated, labelsTruncated };
}

function storageClasses(
  objects: StorageClassObject[],
  drivers: Set<string>,
  snapshotClasses: VolumeSnapshotClassObject[],
): { items: InventoryStorageClass[]; truncated: boolean } {
  const [kept, truncated] = cut([...objects].sort(byName), INVENTORY_LIMITS.storageClasses);
  let classesTruncated = false;
  const items = kept.map((sc): InventoryStorageClass => {
    const forDriver = snapshotClasses.filter((c) => c.driver === sc.provisioner).sort(byName);
    const [listed, cutClasses] = cut(forDriver, INVENTORY_LIMITS.snapshotClassesPerStorageClass);
    classesTruncated ||= cutClasses;
    const chosen = snapshotClassFor(forDriver, sc.provisioner);
    return {
      name: sc.metadata.name,
      provisioner: sc.provisioner,
      isDefault: DEFAULT_STORAGE_CLASS_ANNOTATIONS.some((key) => sc.metadata.annotations?.[key] === 'true'),
      // The API server's defaults, which it also fills in on create: shown as a person reading the object sees them.
      reclaimPolicy: sc.reclaimPolicy ?? 'Delete',
      volumeBindingMode: sc.volumeBindingMode ?? 'Immediate',
      allowVolumeExpansion: sc.allowVolumeExpansion ?? false,
      csiDriver: drivers.has(sc.provisioner),
      snapshotClasses: listed.map((c) => ({
        name: c.metadata.name,
        deletionPolicy: c.deletionPolicy,
        isDefault: c.metadata.annotations?.[DEFAULT_SNAPSHOT_CLASS_ANNOTATION] === 'true',
      })),
      ...(chosen ? { snapshotClass: chosen } : {}),
    };
  });
  return { items, truncated: truncated || classesTruncated };
}

function resourceTypes(served: ServedType[]): { items: InventoryResourceType[]; truncated: boolean } {
  const sorted = [...served].sort((a, b) => a.group.localeCompare(b.group) || a.resource.localeCompare(b.resource));
  const [kept, truncated] = cut(sorted, INVENTORY_LIMITS.resourceTypes);
  let verbsTruncated = false;
  const items = kept.map((type) => {
    const [verbs, cutVerbs] = cut(type.verbs, INVENTORY_LIMITS.verbsPerResourceType);
    verbsTruncated ||= cutVerbs;
    return { group: type.group, version: type.version, kind: type.kind, resource: type.resource, namespaced: type.namespaced, verbs };
  });
  return { items, truncated: truncated || verbsTruncated };
}

const answerBytes = (answer: ClusterInventoryResult) => Buffer.byteLength(JSON.stringify(answer));

/**
 * Keeps the answer within the control plane's byte bound, which it would otherwise refuse whole: the
 * long lists lose their tails (namespaces first, the list that grows with a cluster's tenants) until it fits.
 */
function withinBytes(answer: ClusterInventoryResult): ClusterInventoryResult {
  let fitted = answer;
  for (const list of ['namespaces', 'resourceTypes'] as const) {
    while (answerBytes(fitted) > INVENTORY_LIMITS.answerBytes && fitted[list].length > 0) {
      fitted = { ...fitted, [list]: fitted[list].slice(0, Math.floor(fitted[list].length * 0.9)), truncated: { ...fitted.truncated, [list]: true } };
    }
  }
  return fitted;
}

/** Reads the cluster's namespaces, storage (classes, CSI drivers, snapshot classes) and served types. */
export async function clusterInventory(deps: ClusterInventoryDeps): Promise<ClusterInventoryResult> {
  const storageGroup = { group: 'storage.k8s.io', version: 'v1' };
  const [namespaceObjects, classObjects, driverObjects, snapshotClassObjects, served] = await Promise.all([
    listAll<NamespaceObject>(deps.kube, { group: '', version: 'v1', resource: 'namespaces' }),
    listAll<StorageClassObject>(deps.kube, { ...storageGroup, resource: 'storageclasses' }),
    listAll<{ metadata: { name: string } }>(deps.kube, { ...storageGroup, resource: 'csidrivers' }),
    // None when the snapshot CRDs are not installed: then no class can be snapshotted.
    listAll<VolumeSnapshotClassObject>(deps.kube, { ...SNAPSHOT_GROUP, resource: 'volumesnapshotclasses' }),
    discoverServedTypes(deps.kube),
  ]);
  const ns = namespaces(namespaceObjects);
  const sc = storageClasses(classObjects, new Set(driverObjects.map((d) => d.metadata.name)), snapshotClassObjects);
  const types = resourceTypes(served);
  return withinBytes({
    version: 1,
    namespaces: ns.items,
    storageClasses: sc.items,
    resourceTypes: types.items,
    truncated: { namespaces: ns.truncated, labels: ns.labelsTruncated, storageClasses: sc.truncated, resourceTypes: types.truncated },
  });
}

/** The agent's inventory activity; the message is decoded by version like every agent contract. */
export function clusterInventoryActivities(deps: ClusterInventoryDeps) {
  return {
    async clusterInventory(message: unknown): Promise<ClusterInventoryResult> {
      try {
        clusterInventoryRequestCodec.decode(message);
        return await clusterInventory(deps);
      } catch (error) {
        throw toActivityFailure(error, 'the cluster');
      }
    },
  };
}

export type ClusterInventoryActivities = ReturnType<typeof clusterInventoryActivities>;
