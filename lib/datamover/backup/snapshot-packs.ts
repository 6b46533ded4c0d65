import { mapConcurrent } from '../../common/map-concurrent.js';
import { PackMissingError } from '../errors.js';
import { loadTombstonedPacks } from '../repository/index-store.js';
import { sessionPacksPrefix } from '../repository/layout.js';
import type { Repository } from '../repository/repository.js';

const PACK_HEAD_CONCURRENCY = 16;

export interface PacksAtRisk {
  sessionId: string;
  /** Packs this session wrote or adopted (in this run or its earlier ones) and still indexes. */
  sessionPacks: ReadonlySet<string>;
  /** Every pack the run's index held: what it could have deduplicated against. */
  indexedPacks: ReadonlyMap<string, unknown>;
  /** Packs tombstones named when the run loaded its index (none of them is in it). */
  condemnedAtStart: ReadonlySet<string>;
}

/**
 * Checks, before a snapshot is recorded, that no pack it may reference vanished while the backup ran, so a
 * GC that broke the protocol (lapsed lock, old version, skewed clock) costs a retry, never a snapshot with
 * holes. GC deletes only condemned packs, and packs condemned before the run were never in its index, so
 * two sets can be at risk, and only they are checked:
 * - the session's own packs: one listing of its prefix (a thousand keys a request) instead of a HEAD each;
 * - packs a tombstone written since the run started condemns and the run's index held: a HEAD each, a few
 *   at a time. These are what it could have deduplicated against, a superset of what it did: telling them
 *   apart would cost a lookup per carried-over entry. Their number is what GC condemned meanwhile (usually
 *   nothing), never the repository's size.
 */
export async function assertPacksPresent(repository: Repository, risk: PacksAtRisk): Promise<void> {
  const condemnedSince = [...(await loadTombstonedPacks(repository))].filter((key) => !risk.condemnedAtStart.has(key) && risk.indexedPacks.has(key) && !risk.sessionPacks.has(key));
  const ownListed = new Set<string>();
  for await (const object of repository.backend.list(sessionPacksPrefix(risk.sessionId))) ownListed.add(object.key);
  const ownMissing = [...risk.sessionPacks].find((key) => !ownListed.has(key));
  if (ownMissing) throw new PackMissingError(ownMissing);
  await mapConcurrent(condemnedSince.sort(), PACK_HEAD_CONCURRENCY, async (key) => {
    if (!(await repository.backend.head(key))) throw new PackMissingError(key);
  });
}
