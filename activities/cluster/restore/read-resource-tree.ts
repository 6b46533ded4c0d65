import { readFile } from 'node:fs/promises';
import { isAbsolute, join, normalize } from 'node:path';
import { EXPORT_INDEX_FILE, EXPORT_INDEX_VERSION, type ExportIndexEntry } from '../backup/resource-tree.js';
import type { ExportedResource } from '../export/export-resources.js';
import type { KubeObject } from '../export/kube-object.js';
import { mapConcurrent } from '../../../lib/common/map-concurrent.js';

/** Files read at once: one object per file, so a large tree is thousands of small reads, each a wait on the disk. */
const TREE_READ_CONCURRENCY = 32;

/** The tree is unreadable as a whole (no index, a newer format): nothing can be restored from it. */
export class ResourceTreeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResourceTreeError';
  }
}

interface ExportIndex {
  version: number;
  resources: ExportIndexEntry[];
}

/** One entry of the tree: its object, or why that one file could not be read (the others still restore). */
export type TreeEntry = { ok: true; resource: ExportedResource } | { ok: false; entry: ExportIndexEntry; reason: string };

async function readIndex(directory: string): Promise<ExportIndex> {
  let text: string;
  try {
    text = await readFile(join(directory, EXPORT_INDEX_FILE), 'utf8');
  } catch (error) {
    throw new ResourceTreeError(`${EXPORT_INDEX_FILE} not readable in ${directory}: ${(error as Error).message}`);
  }
  const index = JSON.parse(text) as Partial<ExportIndex>;
  if (index.version !== EXPORT_INDEX_VERSION) {
    throw new ResourceTreeError(`${EXPORT_INDEX_FILE} has version ${String(index.version)}; this agent reads version ${EXPORT_INDEX_VERSION}`);
  }
  return { version: index.version, resources: index.resources ?? [] };
}

async function readEntry(directory: string, entry: ExportIndexEntry): Promise<TreeEntry> {
  // The index comes from storage, not from this agent: a path must not reach outside the tree.
  const relative = normalize(entry.path);
  if (isAbsolute(relative) || relative.startsWith('..')) return { ok: false, entry, reason: `path ${entry.path} leaves the resource tree` };
  try {
    const object = JSON.parse(await readFile(join(directory, relative), 'utf8')) as KubeObject;
    if (typeof object !== 'object' || object === null || typeof object.metadata?.name !== 'string') {
      return { ok: false, entry, reason: `${entry.path} is not a Kubernetes object` };
    }
    const { path: _path, ...described } = entry;
    return { ok: true, resource: { ...described, object } };
  } catch (error) {
    return { ok: false, entry, reason: `${entry.path}: ${(error as Error).message}` };
  }
}

/**
 * Reads a resource tree that the backup side wrote (`../backup/resource-tree.ts`) and the data mover
 * restored into `directory`, in index order. The index, not a directory walk, says what is there, so
 * stray files are ignored and a missing file is reported against the object it should have held.
 */
export async function readResourceTree(directory: string): Promise<TreeEntry[]> {
  const index = await readIndex(directory);
  return mapConcurrent(index.resources, TREE_READ_CONCURRENCY, (entry) => readEntry(directory, entry));
}
