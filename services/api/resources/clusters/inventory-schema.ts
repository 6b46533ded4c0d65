import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { INVENTORY_LIMITS, InventoryNamespaceV1, InventoryResourceTypeV1, InventoryStorageClassV1, InventoryTruncationV1 } from '../../../../proto/agent/index.js';
import { Id, Timestamp } from '../../../../lib/domain/schema-kit.js';

/** Long enough for an agent to list a large cluster, short enough for a wizard waiting on it. */
export const DEFAULT_INVENTORY_TIMEOUT_SECONDS = 30;
export const MAX_INVENTORY_TIMEOUT_SECONDS = 120;

export const InventoryQuery = Type.Object(
  {
    timeoutSeconds: Type.Integer({
      minimum: 1,
      maximum: MAX_INVENTORY_TIMEOUT_SECONDS,
      default: DEFAULT_INVENTORY_TIMEOUT_SECONDS,
      description: 'How long to wait for the cluster\'s agent; past it the answer is 504.',
    }),
  },
  { additionalProperties: false },
);
export type InventoryQuery = Static<typeof InventoryQuery>;

// The item shapes, and their bounds, are the agent contract's (proto/agent/cluster-inventory.ts): one schema per concept.
export const ClusterInventory = Type.Object({
  clusterId: Id,
  generatedAt: Timestamp,
  namespaces: Type.Array(
    Type.Object({
      ...InventoryNamespaceV1.properties,
      protected: Type.Boolean({ description: 'haven-system and kube-* namespaces: never backed up, restored, replicated or hooked, whatever a selection says.' }),
    }),
    { maxItems: INVENTORY_LIMITS.namespaces, description: 'Sorted by name, with their labels and phase (Active, Terminating).' },
  ),
  storageClasses: Type.Array(InventoryStorageClassV1, {
    maxItems: INVENTORY_LIMITS.storageClasses,
    description:
      'Sorted by name. `csiDriver`: a CSIDriver named like the provisioner exists; `snapshotClasses`: the VolumeSnapshotClasses of that driver; ' +
      '`snapshotClass`: the one a backup snapshots with (absent: claims of the class cannot be snapshotted).',
  }),
  resourceTypes: Type.Array(
    Type.Object({
      id: Type.String({ description: 'The type as a definition\'s `resourceTypes` names it: `configmaps`, `deployments.apps`.' }),
      ...InventoryResourceTypeV1.properties,
    }),
    { maxItems: INVENTORY_LIMITS.resourceTypes, description: 'Every top-level type the cluster serves, custom resources included, at its group\'s preferred version, with the verbs it allows (a backup exports those with list and get).' },
  ),
  truncated: Type.Object(InventoryTruncationV1.properties, { description: 'Lists the agent cut at the documented bounds: what they show is real, but not all of it.' }),
});
export type ClusterInventory = Static<typeof ClusterInventory>;
