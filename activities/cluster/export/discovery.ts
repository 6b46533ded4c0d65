import { KubeApiError, type KubeRestClient } from '../../../lib/kube/rest-client.js';

/** A resource type the cluster serves, at the version its API group prefers. */
export interface ResourceType {
  /** `configmaps`, `deployments.apps`: the form users write in a definition's resource types. */
  id: string;
  group: string;
  version: string;
  /** Plural name used in URLs. */
  resource: string;
  kind: string;
  namespaced: boolean;
}

interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
}

interface ApiGroupList {
  groups: { name: string; preferredVersion?: { groupVersion: string; version: string } }[];
}

export function resourceTypeId(group: string, resource: string): string {
  return group ? `${resource}.${group}` : resource;
}

export function collectionPath(type: Pick<ResourceType, 'group' | 'version' | 'resource'>, namespace?: string): string {
  const base = type.group ? `/apis/${type.group}/${type.version}` : `/api/${type.version}`;
  return namespace ? `${base}/namespaces/${encodeURIComponent(namespace)}/${type.resource}` : `${base}/${type.resource}`;
}

/**
 * A group or type can disappear between discovery and its listing (a CRD deleted while a backup runs);
 * what is gone has nothing to back up, so its 404 reads as "not served" rather than failing the export.
 */
export async function servedOrGone<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof KubeApiError && error.status === 404) return undefined;
    throw error;
  }
}

/** Every object of one type (in one namespace, when given), or none when the type stopped being served since discovery. */
export async function listAll<T>(client: KubeRestClient, type: Pick<ResourceType, 'group' | 'version' | 'resource'>, namespace?: string): Promise<T[]> {
  const objects = await servedOrGone(async () => {
    const all: T[] = [];
    for await (const object of client.list<T>(collectionPath(type, namespace))) all.push(object);
    return all;
  });
  return objects ?? [];
}

/** A served type with the verbs its API server allows on it, listable or not. */
export interface ServedType extends ResourceType {
  verbs: string[];
}

/**
 * Every resource type the cluster serves, including custom resources, at each group's preferred version
 * (the version the cluster's own clients use and the one that round-trips).
 */
export async function discoverServedTypes(client: KubeRestClient): Promise<ServedType[]> {
  const groups: { group: string; version: string }[] = [{ group: '', version: 'v1' }];
  const apiGroups = await client.get<ApiGroupList>('/apis');
  for (const g of apiGroups.groups) {
    if (g.preferredVersion) groups.push({ group: g.name, version: g.preferredVersion.version });
  }
  const types: ServedType[] = [];
  for (const { group, version } of groups) {
    const path = group ? `/apis/${group}/${version}` : `/api/${version}`;
    const list = await servedOrGone(() => client.get<{ resources: ApiResource[] }>(path));
    for (const r of list?.resources ?? []) {
      // Subresources (pods/log, deployments/scale) are views of their parent, not objects of their own.
      if (r.name.includes('/')) continue;
      types.push({ id: resourceTypeId(group, r.name), group, version, resource: r.name, kind: r.kind, namespaced: r.namespaced, verbs: r.verbs });
    }
  }
  return types;
}

/** Every type discoverServedTypes finds that can be listed and read: what an export can back up. */
export async function discoverResourceTypes(client: KubeRestClient): Promise<ResourceType[]> {
  const served = await discoverServedTypes(client);
  return served.filter((type) => type.verbs.includes('list') && type.verbs.includes('get')).map(({ verbs: _verbs, ...type }) => type);
}
