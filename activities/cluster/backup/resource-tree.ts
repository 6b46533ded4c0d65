import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mapConcurrent } from '../../../lib/common/map-concurrent.js';
import type { ExportedResource } from '../export/export-resources.js';
import { EXPORT_INDEX_FILE, EXPORT_INDEX_VERSION, type ExportIndexEntry } from '../../../proto/agent/export-index.js';

/** The index describes the tree; restores read it to order objects without opening every file. */
export { EXPORT_INDEX_FILE, EXPORT_INDEX_VERSION, type ExportIndexEntry };

/** Files written at once: a large export is thousands of small files, each a wait on the disk. */
const STAGE_WRITE_CONCURRENCY = 32;

/** File names are at most 255 bytes; object names may be 253 characters, so long ones are shortened. */
const MAX_FILE_NAME_BYTES = 255;

function fileNameFor(name: string): string {
  const plain = `${name}.json`;
  if (Buffer.byteLength(plain) <= MAX_FILE_NAME_BYTES) return plain;
  const digest = createHash('sha256').update(name).digest('hex').slice(0, 16);
  return `${name.slice(0, 200)}~${digest}.json`;
}

/** `namespaces/<ns>/<type>/<name>.json` or `cluster/<type>/<name>.json`: one restorable object per file. */
export function resourcePath(resource: ExportedResource): string {
  const folder = resource.namespace ? join('namespaces', resource.namespace) : 'cluster';
  return join(folder, resource.typeId, fileNameFor(resource.name));
}

/**
 * Writes each exported object as its own JSON file (plain Kubernetes JSON, as `kubectl get -o json`
 * shows it) plus an index. Files, not one large document, so unchanged objects dedup to the same chunks
 * run after run, and a single object can be restored alone.
 */
export async function writeResourceTree(directory: string, resources: ExportedResource[], about: Record<string, string>): Promise<ExportIndexEntry[]> {
  const paths = resources.map(resourcePath);
  // Folders first (a few per namespace), then the files in parallel.
  for (const folder of new Set(paths.map((path) => join(directory, path, '..')))) await mkdir(folder, { recursive: true });
  const entries = await mapConcurrent(resources, STAGE_WRITE_CONCURRENCY, async (resource, i): Promise<ExportIndexEntry> => {
    const path = paths[i]!;
    await writeFile(join(directory, path), `${JSON.stringify(resource.object, null, 2)}\n`);
    const { typeId, apiVersion, kind, namespace, name, reason } = resource;
    return { path, typeId, apiVersion, kind, ...(namespace ? { namespace } : {}), name, reason };
  });
  const index = { version: EXPORT_INDEX_VERSION, ...about, resourceCount: entries.length, resources: entries };
  await writeFile(join(directory, EXPORT_INDEX_FILE), `${JSON.stringify(index, null, 2)}\n`);
  return entries;
}
