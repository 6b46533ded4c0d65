import type { Snapshot } from '../../../proto/repository/index.js';
import { contentChunkIds } from '../backup/entry-from-stats.js';
import { openManifest } from '../manifest/manifest-reader.js';
import type { ChunkIdSet } from '../repository/chunk-index.js';
import type { ChunkReader } from '../restore/chunk-reader.js';

/** Calls `visit` for every chunk a snapshot references: its manifest chunks and every entry's content. */
export async function forEachReferencedChunk(
  snapshot: Snapshot,
  reader: ChunkReader,
  visit: (idHex: string, path: string | undefined) => void,
): Promise<number> {
  for (const id of snapshot.manifest) visit(id, undefined);
  const manifest = await openManifest(snapshot.manifest, (id) => reader.read(id));
  let entries = 0;
  for await (const entry of manifest.entries) {
    entries++;
    for (const id of contentChunkIds(entry)) visit(id, entry.path);
  }
  return entries;
}

export function markAll(set: ChunkIdSet): (idHex: string) => void {
  return (idHex) => set.add(Buffer.from(idHex, 'hex'));
}
