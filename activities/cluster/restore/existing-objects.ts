import type { KubeObject } from '../export/kube-object.js';
import type { KubeRestClient } from '../../../lib/kube/rest-client.js';

/**
 * A collection receiving at least this many of a rank's objects is listed once before they are written:
 * one page per LIST_PAGE_SIZE objects instead of a refused create (and, under UPDATE, a read) per object
 * that already exists. Below it, probing each object costs less than the list.
 */
export const DEFAULT_LIST_EXISTING_FROM = 50;
/** Objects per list page: large pages, few round trips; a page of ConfigMaps is a few megabytes at most. */
const LIST_PAGE_SIZE = 1000;

/** What a list said about one object: absent, or present at this resourceVersion. */
export type Listed = { exists: false } | { exists: true; resourceVersion: string };

/**
 * The names (and resourceVersions) of objects already in the target's collections, read up front so the
 * apply step can skip or replace them without probing. What the list said may be stale by the time an
 * object is written; `applyObject` falls back to probing when a write disagrees with it.
 */
export class ExistingObjects {
  private readonly collections = new Map<string, Map<string, string>>();

  /** Lists every collection named `threshold` times or more in `paths`; one that cannot be listed is simply probed. */
  static async list(client: KubeRestClient, paths: string[], threshold: number): Promise<ExistingObjects> {
    const existing = new ExistingObjects();
    const counts = new Map<string, number>();
    for (const path of paths) counts.set(path, (counts.get(path) ?? 0) + 1);
    for (const [path, count] of counts) {
      if (count < threshold) continue;
      try {
        const names = new Map<string, string>();
        for await (const object of client.list<KubeObject>(path, {}, LIST_PAGE_SIZE)) names.set(object.metadata.name, String(object.metadata.resourceVersion ?? ''));
        existing.collections.set(path, names);
      } catch {
        // Not listable (RBAC may allow create without list): its objects are probed one by one.
      }
    }
    return existing;
  }

  /** What the list said about `name` in `collectionPath`, or undefined when that collection was not listed. */
  lookup(collectionPath: string, name: string): Listed | undefined {
    const names = this.collections.get(collectionPath);
    if (!names) return undefined;
    const resourceVersion = names.get(name);
    return resourceVersion === undefined ? { exists: false } : { exists: true, resourceVersion };
  }
}
