import { mapConcurrent } from '../../../lib/common/map-concurrent.js';
import type { KubeRestClient } from '../../../lib/kube/rest-client.js';
import { Associations } from './associations.js';
import { collectionPath, discoverResourceTypes, listAll, type ResourceType } from './discovery.js';
import type { KubeObject } from './kube-object.js';
import { isRuntimeType, labelsMatch, namespaceInScope, typeSelected, type ExportSelection } from './selection.js';

/** Why an object is in the backup: chosen by the selection, tied to a chosen object, or needed to restore one. */
export type InclusionReason = 'selected' | 'associated' | 'dependency';

export interface ExportedResource {
  typeId: string;
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  reason: InclusionReason;
  object: KubeObject;
}

const LIST_CONCURRENCY = 8;
const CRD_TYPE = 'customresourcedefinitions.apiextensions.k8s.io';
const PV_TYPE = 'persistentvolumes';
const STORAGE_CLASS_TYPE = 'storageclasses.storage.k8s.io';
const CLUSTER_ROLE_TYPE = 'clusterroles.rbac.authorization.k8s.io';
const CLUSTER_ROLE_BINDING_TYPE = 'clusterrolebindings.rbac.authorization.k8s.io';

/** Names of the cluster's CRDs: a type is a custom resource exactly when a CRD `<plural>.<group>` defines it. */
async function customResourceDefinitionNames(client: KubeRestClient, types: ResourceType[]): Promise<Set<string>> {
  const names = new Set<string>();
  const crdType = types.find((t) => t.id === CRD_TYPE);
  if (!crdType) return names;
  for await (const crd of client.list<KubeObject>(collectionPath(crdType))) names.add(crd.metadata.name);
  return names;
}

function exported(type: ResourceType, object: KubeObject, reason: InclusionReason): ExportedResource {
  // Managed fields record which client last wrote each field: large, and meaningless in another cluster.
  const { managedFields: _managed, ...metadata } = object.metadata;
  return {
    typeId: type.id,
    apiVersion: type.group ? `${type.group}/${type.version}` : type.version,
    kind: type.kind,
    ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}),
    name: object.metadata.name,
    reason,
    object: { ...object, apiVersion: type.group ? `${type.group}/${type.version}` : type.version, kind: type.kind, metadata },
  };
}

/**
 * Decides which cluster-scoped objects a selection takes. In the full-cluster modes every selected type
 * counts, except PVs claimed from excluded namespaces; with "Select Namespaces" only objects associated
 * with selected namespaced ones do. Labels apply to both, as the product documents; the one exception is
 * a CRD a selected custom resource needs, without which that resource could not be restored.
 */
function clusterScopedReason(
  selection: ExportSelection,
  type: ResourceType,
  object: KubeObject,
  associations: Associations,
): InclusionReason | undefined {
  if (type.id === CRD_TYPE && associations.crds.has(object.metadata.name)) return 'dependency';
  if (!typeSelected(selection, type) || !labelsMatch(selection, object)) return undefined;
  const namespaceMode = selection.scope === 'SELECTED_NAMESPACES';
  switch (type.id) {
    case PV_TYPE: {
      if (associations.volumeAssociated(object)) return 'associated';
      const claimNamespace = (object.spec?.claimRef as { namespace?: string } | undefined)?.namespace;
      if (namespaceMode) return undefined;
      return claimNamespace === undefined || namespaceInScope(selection, claimNamespace) ? 'selected' : undefined;
    }
    case STORAGE_CLASS_TYPE:
      if (associations.storageClasses.has(object.metadata.name)) return 'associated';
      return namespaceMode ? undefined : 'selected';
    case CLUSTER_ROLE_BINDING_TYPE:
      if (associations.bindingAssociated(object)) return 'associated';
      return namespaceMode ? undefined : 'selected';
    case CLUSTER_ROLE_TYPE:
      if (associations.clusterRoles.has(object.metadata.name)) return 'associated';
      return namespaceMode ? undefined : 'selected';
    default:
      return namespaceMode ? undefined : 'selected';
  }
}

/** Cluster-scoped types in the order their associations become known (bindings before the roles they name). */
function clusterScopedOrder(types: ResourceType[]): ResourceType[] {
  const rank = (t: ResourceType): number => [PV_TYPE, STORAGE_CLASS_TYPE, CLUSTER_ROLE_BINDING_TYPE, CLUSTER_ROLE_TYPE].indexOf(t.id);
  return [...types].sort((a, b) => rank(a) - rank(b));
}

/**
 * Reads every object a backup definition selects from the cluster, with the documented semantics:
 * Full Cluster / Select Namespaces / Full Cluster with exclusions, resource types, and labels
 * ((a = b OR a = c) AND x = y), applied to namespaced and cluster-scoped objects alike.
 */
export async function exportResources(client: KubeRestClient, selection: ExportSelection): Promise<ExportedResource[]> {
  const types = (await discoverResourceTypes(client)).filter((t) => !isRuntimeType(t));
  const associations = new Associations();
  const resources: ExportedResource[] = [];
  const namespacesUsed = new Set<string>();
  const crdNames = await customResourceDefinitionNames(client, types);

  // Listing is latency-bound (one round trip per type and page), so several types are read at once;
  // results are then processed in discovery order so the export is deterministic.
  const namespacedTypes = types.filter((t) => t.namespaced && typeSelected(selection, t));
  // Selected namespaces are read one by one: the objects of every other namespace (a shared cluster's
  // other tenants, thousands of them) never cross the wire. The full-cluster modes read each type once.
  const listed = await mapConcurrent(namespacedTypes, LIST_CONCURRENCY, async (type) => {
    if (selection.scope !== 'SELECTED_NAMESPACES') return listAll<KubeObject>(client, type);
    const perNamespace = [];
    for (const namespace of [...new Set(selection.namespaces)].sort()) perNamespace.push(...(await listAll<KubeObject>(client, type, namespace)));
    return perNamespace;
  });
  for (const [index, type] of namespacedTypes.entries()) {
    const crdName = crdNames.has(`${type.resource}.${type.group}`) ? `${type.resource}.${type.group}` : undefined;
    for (const object of listed[index] ?? []) {
      const namespace = object.metadata.namespace ?? '';
      if (!namespaceInScope(selection, namespace) || !labelsMatch(selection, object)) continue;
      resources.push(exported(type, object, 'selected'));
      associations.noteNamespaced(type.id, object, crdName);
      namespacesUsed.add(namespace);
    }
  }

  const namespaceType = types.find((t) => t.id === 'namespaces');
  for (const type of clusterScopedOrder(types.filter((t) => !t.namespaced))) {
    for (const object of await listAll<KubeObject>(client, type)) {
      if (type === namespaceType) {
        const name = object.metadata.name;
        if (!namespaceInScope(selection, name)) continue;
        // A namespace holding selected objects is always kept: restoring them needs it.
        if (namespacesUsed.has(name)) resources.push(exported(type, object, 'dependency'));
        else if (typeSelected(selection, type) && labelsMatch(selection, object)) resources.push(exported(type, object, 'selected'));
        continue;
      }
      const reason = clusterScopedReason(selection, type, object, associations);
      if (!reason) continue;
      resources.push(exported(type, object, reason));
      if (type.id === PV_TYPE) associations.noteVolume(object);
      if (type.id === CLUSTER_ROLE_BINDING_TYPE) associations.noteBinding(object);
    }
  }
  return resources;
}
