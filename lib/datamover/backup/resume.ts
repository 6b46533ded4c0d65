import type { IndexObject, ManifestEntry } from '../../../proto/repository/index.js';
import { ResumeMismatchError } from '../errors.js';
import type { ChunkIndex } from '../repository/chunk-index.js';
import { contentChunkIds } from './entry-from-stats.js';
import { sequenceOfPackKey, sessionPacksPrefix } from '../repository/layout.js';
import { readPackTrailer } from '../repository/pack-trailer.js';
import type { Repository } from '../repository/repository.js';

interface AdoptedPacks {
  nextSequence: number;
  /** Packs the dead run uploaded but never indexed; they go into this run's next index object. */
  adopted: IndexObject['packs'];
}

/**
 * A mover can die after uploading a pack and before the checkpoint that would have indexed it. Those packs
 * describe themselves (pack trailer), so the resumed run indexes them instead of uploading their chunks again.
 *
 * Unless GC condemned them while the session was dead: this run started after the tombstone, so GC does not
 * wait for it before deleting them, and adopting them would leave its snapshot with holes. Their chunks are
 * uploaded again, under sequence numbers after theirs (a key is never written twice).
 */
export async function adoptSessionPacks(
  repository: Repository,
  index: ChunkIndex,
  sessionId: string,
  indexedPacks: ReadonlyMap<string, number>,
  condemnedPacks: ReadonlySet<string>,
): Promise<AdoptedPacks> {
  let nextSequence = 0;
  const adopted: IndexObject['packs'] = [];
  for await (const object of repository.backend.list(sessionPacksPrefix(sessionId))) {
    nextSequence = Math.max(nextSequence, sequenceOfPackKey(object.key) + 1);
    if (indexedPacks.has(object.key) || condemnedPacks.has(object.key)) continue;
    const trailer = await readPackTrailer(repository, object.key);
    for (const [idHex, offset, storedLength, rawLength, flags] of trailer.chunks) {
      index.add(Buffer.from(idHex, 'hex'), { packKey: object.key, offset, storedLength, rawLength, flags });
    }
    adopted.push({ key: object.key, size: object.size, chunks: trailer.chunks });
  }
  return { nextSequence, adopted };
}

interface InodeMaps {
  /** Inode → first path seen, to recognise later names of the same file. */
  firstPathOfInode: Map<string, string>;
  /** Inode → the first entry (with content), to copy into hardlink entries. */
  inodeContent: Map<string, ManifestEntry>;
}

/**
 * Reads the partial manifest a resumed run continues: rebuilds hard-link bookkeeping and checks that every
 * chunk it references is still indexed. A checkpoint left too long may have had its chunks condemned by GC;
 * the caller must then start a fresh backup instead of producing a snapshot with holes.
 */
export async function scanPartialManifest(entries: AsyncIterable<ManifestEntry>, isKnown: (idHex: string) => boolean): Promise<InodeMaps> {
  const maps: InodeMaps = { firstPathOfInode: new Map(), inodeContent: new Map() };
  for await (const entry of entries) {
    const missing = contentChunkIds(entry).find((id) => !isKnown(id));
    if (missing) throw new ResumeMismatchError(`chunk ${missing.slice(0, 16)}… of ${entry.path} is no longer in the repository; start a new backup`);
    if (entry.type !== 'file' || entry.nlink === undefined || entry.ino === undefined) continue;
    maps.firstPathOfInode.set(entry.ino, entry.path);
    maps.inodeContent.set(entry.ino, entry);
  }
  return maps;
}
