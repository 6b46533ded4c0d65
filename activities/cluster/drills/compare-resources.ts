import { isDeepStrictEqual } from 'node:util';
import { KubeApiError, type KubeRestClient } from '../../../lib/kube/rest-client.js';
import type { KubeObject } from '../export/kube-object.js';
import type { DrillCheckResult } from '../../../proto/agent/drill-check.js';
import { notRestoredReason } from '../restore/cluster-generated.js';
import type { TreeEntry } from '../restore/read-resource-tree.js';

type Difference = DrillCheckResult['differences'][number];

/** Types whose content is their data: a restored copy must hold it byte for byte. */
const DATA_FIELDS: Record<string, readonly string[]> = { configmaps: ['data', 'binaryData'], secrets: ['data', 'type'] };

/** Namespaces themselves are created empty by the drill (labelled as its scratch space), so they are not compared. */
const NOT_COMPARED = new Set(['namespaces']);

/** Where a namespaced object of the tree lives on the target: `plural` or `plural.group` with its apiVersion. */
function objectPath(typeId: string, apiVersion: string, namespace: string, name: string): string {
  const plural = typeId.split('.')[0]!;
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  return `${base}/namespaces/${encodeURIComponent(namespace)}/${plural}/${encodeURIComponent(name)}`;
}

function labelDifferences(backedUp: KubeObject, live: KubeObject): string[] {
  const liveLabels = live.metadata.labels ?? {};
  return Object.entries(backedUp.metadata.labels ?? {})
    .filter(([key, value]) => liveLabels[key] !== value)
    .map(([key, value]) => `label ${key} is ${liveLabels[key] === undefined ? 'missing' : `"${liveLabels[key]}"`}, backed up "${value}"`);
}

/**
 * Compares every namespaced object of the recovery point that a restore recreates with its copy in the
 * scratch namespace: it must exist, carry the backed-up labels, and a ConfigMap's or Secret's data must
 * be the same. Objects the target generates itself (events, owned pods, token secrets) are left out, as
 * the restore leaves them out.
 */
export async function compareRestoredResources(
  kube: KubeRestClient,
  entries: readonly TreeEntry[],
  namespaces: ReadonlyMap<string, string>,
): Promise<{ compared: number; differences: Difference[] }> {
  const differences: Difference[] = [];
  let compared = 0;
  for (const entry of entries) {
    if (!entry.ok) {
      differences.push({ kind: 'RESOURCE', subject: entry.entry.path, message: `not readable in the recovery point: ${entry.reason}` });
      continue;
    }
    const { resource } = entry;
    const target = resource.namespace === undefined ? undefined : namespaces.get(resource.namespace);
    if (target === undefined || NOT_COMPARED.has(resource.typeId) || notRestoredReason(resource)) continue;
    compared++;
    const subject = `${target}/${resource.kind}/${resource.name}`;
    let live: KubeObject;
    try {
      live = await kube.get<KubeObject>(objectPath(resource.typeId, resource.apiVersion, target, resource.name));
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) {
        differences.push({ kind: 'RESOURCE', subject, message: 'missing from the restored copy' });
        continue;
      }
      throw error;
    }
    const found = labelDifferences(resource.object, live);
    for (const field of DATA_FIELDS[resource.typeId] ?? []) {
      const backedUp = (resource.object as Record<string, unknown>)[field];
      const restored = (live as Record<string, unknown>)[field];
      if (!isDeepStrictEqual(backedUp ?? {}, restored ?? {})) found.push(`${field} differs from the recovery point`);
    }
    if (found.length > 0) differences.push({ kind: 'RESOURCE', subject, message: found.join('; ') });
  }
  return { compared, differences };
}
