import { collectionPath, discoverResourceTypes, type ResourceType } from '../export/discovery.js';
import type { KubeRestClient } from '../../../lib/kube/rest-client.js';

/** Group and version of an `apiVersion` (`apps/v1`, or `v1` for the core group). */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/**
 * The target cluster's resource types by group and kind, so any object, custom resources included, maps
 * to the URL that creates it. Discovered, not derived from the type id, because only the target knows
 * whether it serves a kind and whether it is namespaced there.
 */
export class TargetTypes {
  private constructor(private readonly byGroupKind: Map<string, ResourceType>) {}

  static async discover(client: KubeRestClient): Promise<TargetTypes> {
    const types = await discoverResourceTypes(client);
    return new TargetTypes(new Map(types.map((t) => [`${t.group}/${t.kind}`, t])));
  }

  /**
   * The collection URL for an object. Its own apiVersion is kept in the path: the body is written in
   * that version, and servers keep serving older versions a group no longer prefers.
   */
  collection(apiVersion: string, kind: string, namespace: string | undefined): { path: string; namespaced: boolean } | { error: string } {
    const { group, version } = splitApiVersion(apiVersion);
    const type = this.byGroupKind.get(`${group}/${kind}`);
    if (!type) return { error: `the target cluster does not serve ${kind} in ${apiVersion}` };
    if (type.namespaced && !namespace) return { error: `${kind} is namespaced on the target but the object has no namespace` };
    return { path: collectionPath({ group, version, resource: type.resource }, type.namespaced ? namespace : undefined), namespaced: type.namespaced };
  }
}
