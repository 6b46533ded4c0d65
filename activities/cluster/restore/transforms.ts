import type { RestoreResourcesRequest } from '../../../proto/agent/index.js';
import type { KubeObject } from '../export/kube-object.js';
import type { NamespaceMapping } from '../../../lib/domain/namespace-mapping.js';
import { mappedName } from '../../../lib/domain/name-map.js';

const LEGACY_STORAGE_CLASS_ANNOTATION = 'volume.beta.kubernetes.io/storage-class';
const RBAC_BINDING_TYPES = new Set(['rolebindings.rbac.authorization.k8s.io', 'clusterrolebindings.rbac.authorization.k8s.io']);

type Spec = Record<string, unknown>;

function remapClass(spec: Spec | undefined, classes: Record<string, string>): void {
  const current = spec?.storageClassName;
  const mapped = typeof current === 'string' ? mappedName(classes, current) : undefined;
  if (spec && mapped !== undefined) spec.storageClassName = mapped;
}

function remapStorageClasses(typeId: string, object: KubeObject, classes: Record<string, string>): void {
  if (typeId === 'persistentvolumeclaims' || typeId === 'persistentvolumes') {
    remapClass(object.spec, classes);
    const annotations = object.metadata.annotations as Record<string, string> | undefined;
    const legacy = annotations?.[LEGACY_STORAGE_CLASS_ANNOTATION];
    const mapped = legacy !== undefined ? mappedName(classes, legacy) : undefined;
    if (annotations && mapped !== undefined) annotations[LEGACY_STORAGE_CLASS_ANNOTATION] = mapped;
  }
  if (typeId === 'statefulsets.apps') {
    const templates = (object.spec?.volumeClaimTemplates ?? []) as { spec?: Spec }[];
    for (const template of templates) remapClass(template.spec, classes);
  }
}

/**
 * Applies a restore's transforms to one (already copied) object, in place: the renamed namespace of the
 * object itself and of every reference that carries a namespace (binding subjects, a PV's claim, a
 * namespace's own name), and the storage-class remap wherever a class is named.
 */
export function applyTransforms(typeId: string, object: KubeObject, namespaces: NamespaceMapping, transforms: RestoreResourcesRequest['transforms']): void {
  if (object.metadata.namespace) object.metadata.namespace = namespaces.target(object.metadata.namespace);
  if (typeId === 'namespaces') object.metadata.name = namespaces.target(object.metadata.name);
  if (RBAC_BINDING_TYPES.has(typeId)) {
    for (const subject of object.subjects ?? []) if (subject.namespace) subject.namespace = namespaces.target(subject.namespace);
  }
  if (typeId === 'persistentvolumes') {
    const claimRef = object.spec?.claimRef as { namespace?: string } | undefined;
    if (claimRef?.namespace) claimRef.namespace = namespaces.target(claimRef.namespace);
  }
  remapStorageClasses(typeId, object, transforms.storageClassMapping);
}
