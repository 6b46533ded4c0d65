import { matchesLabels, parseLabelSelector, type LabelSelector } from '../../../lib/common/label-selector.js';
import type { ExportedResource } from '../export/export-resources.js';
import { namedResource } from './granular-selection.js';
import type { ResourceRestoreOptions } from './restore-options.js';

const NAMESPACE_TYPE = 'namespaces';
const PV_TYPE = 'persistentvolumes';
const CRD_TYPE = 'customresourcedefinitions.apiextensions.k8s.io';
const CLUSTER_ROLE_BINDING_TYPE = 'clusterrolebindings.rbac.authorization.k8s.io';

/** The label text of a restore was validated by the API; a parse failure here is a bug upstream, so it throws. */
function parsedLabels(text: string): LabelSelector {
  const parsed = parseLabelSelector(text);
  if (!parsed.ok) throw new Error(`restore labels: ${parsed.error.message}`);
  return parsed.selector;
}

function typeSelected(types: string[], typeId: string): boolean {
  // `deployments.apps` or, as in backups, the bare plural `deployments`.
  return types.length === 0 || types.includes(typeId) || types.includes(typeId.split('.')[0]!);
}

/**
 * The namespace a cluster-scoped object belongs to for selection, when it has one: a namespace is its own,
 * a PV belongs to its claim's, a cluster role binding to its service accounts'. `undefined` means the
 * object is shared by all namespaces (CRDs, storage classes, cluster roles).
 */
function namespacesOf(resource: ExportedResource): string[] | undefined {
  if (resource.namespace) return [resource.namespace];
  switch (resource.typeId) {
    case NAMESPACE_TYPE:
      return [resource.name];
    case PV_TYPE: {
      const claimNamespace = (resource.object.spec?.claimRef as { namespace?: string } | undefined)?.namespace;
      return claimNamespace ? [claimNamespace] : undefined;
    }
    case CLUSTER_ROLE_BINDING_TYPE: {
      const accounts = (resource.object.subjects ?? []).filter((s) => s.kind === 'ServiceAccount' && s.namespace);
      return accounts.length > 0 ? accounts.map((s) => s.namespace!) : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * Picks what a restore takes from a recovery point with the backup's semantics: namespaces, resource
 * types (`plural` or `plural.group`), labels (`a:b,c x:y`) and, when a restore names resources one by
 * one, their names must all match. As in backups, the namespace
 * of a selected object and the CRD of a selected custom resource are always kept, because the selected
 * objects cannot be created without them.
 */
export function selectForRestore(resources: ExportedResource[], selection: ResourceRestoreOptions['selection']): ExportedResource[] {
  const labels = parsedLabels(selection.labels);
  const inNamespaces = (r: ExportedResource): boolean => {
    if (selection.namespaces.length === 0) return true;
    const owners = namespacesOf(r);
    return owners === undefined || owners.some((n) => selection.namespaces.includes(n));
  };
  const chosen = new Set(
    resources.filter(
      (r) => inNamespaces(r) && typeSelected(selection.resourceTypes, r.typeId) && matchesLabels(labels, r.object.metadata.labels ?? {}) && namedResource(selection, r),
    ),
  );
  const neededNamespaces = new Set([...chosen].flatMap((r) => (r.namespace ? [r.namespace] : [])));
  // A custom resource's type id `<plural>.<group>` is exactly the name of the CRD that defines it.
  const neededCrds = new Set([...chosen].map((r) => r.typeId));
  return resources.filter(
    (r) =>
      chosen.has(r) ||
      (r.typeId === NAMESPACE_TYPE && neededNamespaces.has(r.name)) ||
      (r.typeId === CRD_TYPE && neededCrds.has(r.name)),
  );
}
