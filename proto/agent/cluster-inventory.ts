import { Type, type Static } from '@sinclair/typebox';
import { versionDecoder, versionedCodec } from './codec.js';

/**
 * What the wizards offer for a cluster: its namespaces, storage classes and resource types.
 *
 * The answer comes from a cluster its tenant controls completely, so the control plane decodes it against
 * these bounds before anyone sees it: counts, string lengths and character sets (printable ASCII where
 * Kubernetes guarantees no more, so nothing can smuggle terminal escapes into a CLI table). An honest
 * agent stays inside them: it cuts lists at the bounds and says so in `truncated`.
 */
export const INVENTORY_LIMITS = {
  namespaces: 5000,
  labelsPerNamespace: 64,
  storageClasses: 500,
  snapshotClassesPerStorageClass: 32,
  resourceTypes: 2000,
  verbsPerResourceType: 16,
  /** The answer as JSON, in UTF-8 bytes: Temporal's default payload limit, so an honest answer that travels fits. */
  answerBytes: 2 * 1024 * 1024,
} as const;

/** Printable ASCII, written as an explicit range so every regex dialect reads it alike. */
const printable = (maxLength: number, minLength = 0) => Type.String({ minLength, maxLength, pattern: '^[\\x20-\\x7e]*$' });

/** RFC 1123 label, as Kubernetes requires of namespace names. */
const NamespaceNameV1 = Type.String({ minLength: 1, maxLength: 63, pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' });
/** RFC 1123 subdomain, as Kubernetes requires of storage and snapshot class names. */
const ObjectNameV1 = Type.String({ minLength: 1, maxLength: 253, pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$' });

/** Label keys (an optional DNS prefix, `/`, a name of at most 63) and values (at most 63), as Kubernetes validates them. */
const LabelsV1 = Type.Record(Type.String({ pattern: '^[A-Za-z0-9._/-]{1,317}$' }), Type.String({ maxLength: 63, pattern: '^[A-Za-z0-9._-]*$' }), {
  additionalProperties: false,
  maxProperties: INVENTORY_LIMITS.labelsPerNamespace,
});

/** Control plane -> agent: list what the wizards offer. Nothing to choose yet; the version leaves room. */
export const ClusterInventoryRequestV1 = Type.Object({ version: Type.Literal(1) });
export type ClusterInventoryRequest = Static<typeof ClusterInventoryRequestV1>;

export const InventoryNamespaceV1 = Type.Object({
  name: NamespaceNameV1,
  /** Active or Terminating. */
  phase: printable(32),
  labels: LabelsV1,
});
export type InventoryNamespace = Static<typeof InventoryNamespaceV1>;

export const InventorySnapshotClassV1 = Type.Object({
  name: ObjectNameV1,
  /** Delete or Retain: what happens to the storage system's snapshot when its VolumeSnapshot goes. */
  deletionPolicy: printable(32),
  /** Annotated `snapshot.storage.kubernetes.io/is-default-class: "true"`. */
  isDefault: Type.Boolean(),
});
export type InventorySnapshotClass = Static<typeof InventorySnapshotClassV1>;

export const InventoryStorageClassV1 = Type.Object({
  name: ObjectNameV1,
  provisioner: printable(317, 1),
  /** Annotated `storageclass.kubernetes.io/is-default-class: "true"`. */
  isDefault: Type.Boolean(),
  reclaimPolicy: printable(32),
  volumeBindingMode: printable(32),
  allowVolumeExpansion: Type.Boolean(),
  /** A CSIDriver object named like the provisioner exists: its claims can be snapshotted if a snapshot class names it. */
  csiDriver: Type.Boolean(),
  /** The VolumeSnapshotClasses whose driver is the provisioner, sorted by name. */
  snapshotClasses: Type.Array(InventorySnapshotClassV1, { maxItems: INVENTORY_LIMITS.snapshotClassesPerStorageClass }),
  /** The one a backup's snapshots use (the default for the driver, else the first by name); absent: the class cannot be snapshotted. */
  snapshotClass: Type.Optional(ObjectNameV1),
});
export type InventoryStorageClass = Static<typeof InventoryStorageClassV1>;

export const InventoryResourceTypeV1 = Type.Object({
  /** Empty for the core group. */
  group: printable(253),
  /** The group's preferred version. */
  version: printable(63, 1),
  kind: printable(253, 1),
  /** The plural name of the type's URLs. */
  resource: printable(253, 1),
  namespaced: Type.Boolean(),
  verbs: Type.Array(printable(63, 1), { maxItems: INVENTORY_LIMITS.verbsPerResourceType }),
});
export type InventoryResourceType = Static<typeof InventoryResourceTypeV1>;

/** Which lists were cut at INVENTORY_LIMITS: what they show is real, but not all of it. */
export const InventoryTruncationV1 = Type.Object({
  namespaces: Type.Boolean(),
  labels: Type.Boolean(),
  storageClasses: Type.Boolean(),
  resourceTypes: Type.Boolean(),
});

export const ClusterInventoryResultV1 = Type.Object({
  version: Type.Literal(1),
  /** Sorted by name. */
  namespaces: Type.Array(InventoryNamespaceV1, { maxItems: INVENTORY_LIMITS.namespaces }),
  /** Sorted by name. */
  storageClasses: Type.Array(InventoryStorageClassV1, { maxItems: INVENTORY_LIMITS.storageClasses }),
  /** Top-level types (no subresources), sorted by group then resource. */
  resourceTypes: Type.Array(InventoryResourceTypeV1, { maxItems: INVENTORY_LIMITS.resourceTypes }),
  truncated: InventoryTruncationV1,
});
export type ClusterInventoryResult = Static<typeof ClusterInventoryResultV1>;

export const clusterInventoryRequestCodec = versionedCodec<ClusterInventoryRequest>('cluster-inventory request', {
  1: versionDecoder(ClusterInventoryRequestV1, (value) => value),
});

export const clusterInventoryResultCodec = versionedCodec<ClusterInventoryResult>('cluster-inventory result', {
  1: versionDecoder(ClusterInventoryResultV1, (value) => value),
});
