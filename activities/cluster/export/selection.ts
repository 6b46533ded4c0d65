import { matchesLabels, type LabelSelector } from '../../../lib/common/label-selector.js';
import { isProtectedNamespace } from '../../../lib/domain/protected-namespaces.js';
import type { ResourceType } from './discovery.js';
import type { KubeObject } from './kube-object.js';

export type SelectionScope = 'FULL_CLUSTER' | 'SELECTED_NAMESPACES' | 'FULL_CLUSTER_EXCEPT';

/** What a backup definition selects (the agent's copy of the definition's `selection`). */
export interface ExportSelection {
  scope: SelectionScope;
  namespaces: string[];
  excludedNamespaces: string[];
  /** `configmaps`, `deployments.apps`; empty selects every type. */
  resourceTypes: string[];
  labels: LabelSelector;
}

/**
 * Types that describe the cluster's runtime rather than the application: recreated by the cluster
 * itself (nodes, leases, endpoints) or meaningless elsewhere (events, volume attachments).
 */
const runtimeTypes = new Set([
  'events',
  'events.events.k8s.io',
  'nodes',
  'leases.coordination.k8s.io',
  'endpoints',
  'endpointslices.discovery.k8s.io',
  'componentstatuses',
  'csinodes.storage.k8s.io',
  'volumeattachments.storage.k8s.io',
]);

export function isRuntimeType(type: ResourceType): boolean {
  return runtimeTypes.has(type.id);
}

/** Protected namespaces are left out even of a FULL_CLUSTER selection. */
export function namespaceInScope(selection: ExportSelection, namespace: string): boolean {
  if (isProtectedNamespace(namespace)) return false;
  switch (selection.scope) {
    case 'FULL_CLUSTER':
      return true;
    case 'SELECTED_NAMESPACES':
      return selection.namespaces.includes(namespace);
    case 'FULL_CLUSTER_EXCEPT':
      return !selection.excludedNamespaces.includes(namespace);
  }
}

/** A definition may name a type with its group (`deployments.apps`) or, for unambiguous names, without. */
export function typeSelected(selection: ExportSelection, type: ResourceType): boolean {
  if (selection.resourceTypes.length === 0) return true;
  return selection.resourceTypes.includes(type.id) || selection.resourceTypes.includes(type.resource);
}

export function labelsMatch(selection: ExportSelection, object: KubeObject): boolean {
  return matchesLabels(selection.labels, object.metadata.labels ?? {});
}
