import type { SelectedVolume } from '../../../proto/agent/restore-resources.js';
import type { ResourceRestoreOptions } from './restore-options.js';
import type { TreeEntry } from './read-resource-tree.js';
import type { ExportedResource } from '../export/export-resources.js';

const CLAIM_TYPE = 'persistentvolumeclaims';

/** `deployments.apps` or, as in backups, the bare plural `deployments`. */
function sameType(wanted: string, typeId: string): boolean {
  return wanted === typeId || wanted === typeId.split('.')[0];
}

/** The resources a restore names one by one; with none named, every resource passes. */
export function namedResource(selection: ResourceRestoreOptions['selection'], resource: ExportedResource): boolean {
  if (selection.resources.length === 0) return true;
  return selection.resources.some((r) => sameType(r.type, resource.typeId) && r.name === resource.name && (r.namespace ?? undefined) === (resource.namespace ?? undefined));
}

function namespaceEntry(name: string): TreeEntry {
  const object = { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
  return { ok: true, resource: { typeId: 'namespaces', apiVersion: 'v1', kind: 'Namespace', name, reason: 'dependency', object } };
}

/**
 * A granular volume restore writes only the chosen claims, renamed to their new names (a data mover fills
 * them afterwards), and the namespaces they go to when missing; nothing else of the recovery point. The
 * claim's spec is the backed-up one, so size, access and volume modes are those of the original.
 */
export function volumeRestoreEntries(entries: readonly TreeEntry[], volumes: readonly SelectedVolume[]): TreeEntry[] {
  const claims = volumes.flatMap((volume): TreeEntry[] => {
    const found = entries.find((e) => e.ok && e.resource.typeId === CLAIM_TYPE && e.resource.namespace === volume.namespace && e.resource.name === volume.claim);
    if (!found?.ok) return [];
    const object = structuredClone(found.resource.object);
    object.metadata = { ...object.metadata, name: volume.targetClaim, namespace: volume.targetNamespace };
    return [{ ok: true, resource: { ...found.resource, namespace: volume.targetNamespace, name: volume.targetClaim, reason: 'selected', object } }];
  });
  const namespaces = [...new Set(volumes.map((v) => v.targetNamespace))];
  return [...namespaces.map(namespaceEntry), ...claims];
}
