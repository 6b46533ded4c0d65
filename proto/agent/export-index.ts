/**
 * The index a backup writes beside the exported objects in its resources snapshot
 * (activities/cluster/backup/resource-tree.ts). It outlives the release that wrote it: restores and the
 * API's browsing read it from recovery points made by earlier versions.
 */
export const EXPORT_INDEX_FILE = 'haven-export.json';
export const EXPORT_INDEX_VERSION = 1;

export interface ExportIndexEntry {
  /** Where the object's JSON is in the tree. */
  path: string;
  typeId: string;
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  reason: 'selected' | 'associated' | 'dependency';
}
