import { Type, type Static } from '@sinclair/typebox';
import { NamespaceName, StorageClassName } from '../schema-kit.js';
import { VolumePath } from '../volume-paths.js';
import { ResourceType } from './resource-type.js';

/** At most this many single resources in one restore: beyond it, a namespace or type selection says it better. */
export const MAX_SELECTED_RESOURCES = 500;
/** Paths of one PV restored in one run. */
export const MAX_SELECTED_PATHS = 1000;

/** A Kubernetes object's name: most kinds want a DNS subdomain, some (RBAC) allow `:`; never `/`. */
export const ObjectName = Type.String({ minLength: 1, maxLength: 253, pattern: '^[^/\\x00-\\x20\\x7f]+$', description: 'The object\'s metadata.name.' });

/** A claim name: a DNS subdomain, as Kubernetes requires of PVC names. */
export const ClaimName = { ...StorageClassName, description: 'A PersistentVolumeClaim name.' };

/** One resource of a recovery point, as its browse listing names it. */
export const ResourceRef = Type.Object(
  {
    type: ResourceType,
    namespace: Type.Optional({ ...NamespaceName, description: 'Absent for a cluster-scoped resource.' }),
    name: ObjectName,
  },
  { additionalProperties: false },
);
export type ResourceRef = Static<typeof ResourceRef>;

/** One PV of a recovery point restored with its data into a new claim, whole or only some of its paths. */
export const VolumeSelection = Type.Object(
  {
    namespace: { ...NamespaceName, description: 'The claim\'s namespace in the recovery point.' },
    claim: { ...ClaimName, description: 'The claim in the recovery point.' },
    targetNamespace: Type.Optional({ ...NamespaceName, description: 'Where the new claim is created; the claim\'s own namespace when absent (namespace transforms do not apply to a volume restored alone).' }),
    targetClaim: { ...ClaimName, description: 'The new claim\'s name; it must not exist yet on the target.' },
    storageClass: Type.Optional({ ...StorageClassName, description: 'The new claim\'s storage class; the backed-up one, remapped by storageClassMapping, when absent.' }),
    paths: Type.Array(VolumePath, {
      maxItems: MAX_SELECTED_PATHS,
      uniqueItems: true,
      default: [],
      description: 'Files or directories of the PV to restore (with what lies below them), as GET .../files lists them; empty restores all of it.',
    }),
  },
  { additionalProperties: false },
);
export type VolumeSelection = Static<typeof VolumeSelection>;

export const SelectedResources = Type.Array(ResourceRef, {
  maxItems: MAX_SELECTED_RESOURCES,
  default: [],
  description: 'Restore only these resources, by type and name (with the other selection fields narrowing them further); empty selects by the other fields.',
});

export const SelectedVolumes = Type.Array(VolumeSelection, {
  maxItems: 1,
  default: [],
  description: 'Granular volume restore: the one PV listed, with its data, into a new claim, and nothing else of the recovery point. Cannot be combined with resources.',
});
