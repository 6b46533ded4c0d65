import { tombstoneCodec, type Tombstone } from '../../../proto/repository/index.js';
import { ObjectRetainedError } from '../errors.js';
import { ChunkIdSet, ChunkIndex } from '../repository/chunk-index.js';
import { CompactPack } from '../repository/compact-pack.js';
import { MAX_INDEX_OBJECT_CHUNKS, readIndexObject, writeIndexObjects } from '../repository/index-store.js';
import { INDEX_PREFIX, newSessionId, PACKS_PREFIX, sessionOfPackKey, TOMBSTONES_PREFIX, tombstoneKey } from '../repository/layout.js';
import type { Repository } from '../repository/repository.js';
import { firstWrittenAt, listLiveLocks, SessionLockHandle, type LiveLock } from '../repository/session-lock.js';
import { ChunkReader } from '../restore/chunk-reader.js';
import { gcGoingFirst } from './gc-turns.js';
import { forEachReferencedChunk, markAll } from './live-chunks.js';

/** A pack is condemned only once older than this, and deleted only this long after condemnation. */
const DEFAULT_GC_GRACE_MS = 6 * 60 * 60_000;
/**
 * A backup whose lock was first written up to this long after a tombstone may still have listed tombstones
 * before that one landed: a PUT is stamped when it starts, not when it becomes visible, S3 stamps to the
 * second, and locks of movers older than server-clock locks carry their own clock's start time.
 */
const WRITE_ORDER_ALLOWANCE_MS = 5 * 60_000;

export interface GcOptions {
  graceMs?: number;
  /** Names, dates for people and how long GC's own lock went unrewritten; every age is judged by the storage server's clock. */
  clock?: () => Date;
  /**
   * Checked between steps and before every deletion: once aborted, no deletion starts and the run rejects
   * with the signal's reason. What it leaves is what a crash there would: a later run completes it.
   */
  signal?: AbortSignal;
  /** Chunks per consolidated index object (default MAX_INDEX_OBJECT_CHUNKS); tests shrink it. */
  indexObjectChunks?: number;
}

export interface GcReport {
  /** False when another GC was running, or started in the same instant and goes first: this one changed nothing. */
  ran: boolean;
  /** The session of the GC this one gave way to. */
  gaveWayTo?: string;
  livePacks: number;
  condemnedPacks: number;
  deletedPacks: number;
  reclaimedBytes: number;
  /** Condemned packs kept because Object Lock retention has not expired; deleted by a later run. */
  retainedPacks: number;
  /** Condemned packs found referenced again (a backup deduplicated against them before condemnation). */
  resurrectedPacks: number;
  /** Tombstones not yet actionable because a backup that started before them is still running. */
  waitingTombstones: number;
  /** Condemned packs kept because their session is running again (resumed); deleted by a later run. */
  sessionHeldPacks: number;
  partiallyLivePacks: number;
  indexObjectsConsolidated: number;
}

interface TombstoneRecord {
  key: string;
  value: Tombstone;
  /** By the storage server's clock: when the tombstone was written, whatever its writer's clock said. */
  writtenAt: Date;
}

/**
 * Two-phase garbage collection, safe while backups run:
 *
 * 1. Condemn: packs none of whose chunks any snapshot references, older than the grace period and not
 *    written by a running session, are listed in a new tombstone. Backups that start afterwards load the
 *    tombstones and never deduplicate against condemned packs.
 * 2. Delete (a later run): a tombstone is acted on once it is older than the grace period and every
 *    backup that started before it has finished. Each condemned pack is re-checked against all snapshots,
 *    including those written since; packs under retention are kept for later, never deleted early.
 *
 * Index objects are consolidated into one before packs are deleted, so no index ever names a deleted pack.
 *
 * Every age (of packs, tombstones and locks) is measured on the storage server's clock: "now" is the
 * LastModified of GC's own freshly written lock, and an object's age is now minus its LastModified. Clocks
 * of GC and movers can be hours apart; judged by them, a tombstone could ripen early or a live backup's lock
 * look stale, and packs it depends on would be deleted.
 */
export async function collectGarbage(repository: Repository, options: GcOptions = {}): Promise<GcReport> {
  const clock = options.clock ?? (() => new Date());
  const graceMs = options.graceMs ?? DEFAULT_GC_GRACE_MS;
  const signal = options.signal;
  signal?.throwIfAborted();
  const lock = await SessionLockHandle.acquire(repository, newSessionId(clock()), 'gc', clock);
  try {
    const own = { sessionId: lock.record.sessionId, startedAt: lock.startedAt };
    const locks = await listLiveLocks(repository, own.startedAt);
    const first = gcGoingFirst(locks, own);
    if (first) return gaveWay(first);
    return await runGc(repository, { graceMs, clock, indexObjectChunks: options.indexObjectChunks ?? MAX_INDEX_OBJECT_CHUNKS }, own, locks, () => {
      signal?.throwIfAborted();
      // Lapsed, another GC may have started beside this one.
      lock.assertHeld();
    });
  } finally {
    await lock.release();
  }
}

function gaveWay(to: LiveLock): GcReport {
  return { ran: false, gaveWayTo: to.sessionId, livePacks: 0, condemnedPacks: 0, deletedPacks: 0, reclaimedBytes: 0, retainedPacks: 0, resurrectedPacks: 0, waitingTombstones: 0, sessionHeldPacks: 0, partiallyLivePacks: 0, indexObjectsConsolidated: 0 };
}

async function runGc(
  repository: Repository,
  { graceMs, clock, indexObjectChunks }: { graceMs: number; clock: () => Date; indexObjectChunks: number },
  own: { sessionId: string; startedAt: Date },
  liveLocks: readonly LiveLock[],
  step: () => void,
): Promise<GcReport> {
  const serverNow = own.startedAt;
  const report: GcReport = { ran: true, livePacks: 0, condemnedPacks: 0, deletedPacks: 0, reclaimedBytes: 0, retainedPacks: 0, resurrectedPacks: 0, waitingTombstones: 0, sessionHeldPacks: 0, partiallyLivePacks: 0, indexObjectsConsolidated: 0 };
  const now = serverNow.getTime();
  const locks = liveLocks.filter((lock) => lock.kind === 'backup');
  const runningSessions = new Set(locks.map((lock) => lock.sessionId));

  // Index objects are read before snapshots: a backup finishing in between then has its chunks marked
  // live (its snapshot is read) even though its index is not part of this consolidation.
  const indexKeys: string[] = [];
  const packs = new Map<string, CompactPack>();
  for await (const object of repository.backend.list(INDEX_PREFIX)) {
    step();
    indexKeys.push(object.key);
    for (const pack of (await readIndexObject(repository, object.key)).packs) packs.set(pack.key, CompactPack.from(pack, object.key));
  }
  const index = new ChunkIndex();
  for (const pack of packs.values()) {
    for (let chunk = 0; chunk < pack.chunkCount; chunk++) index.add(pack.id(chunk), { packKey: pack.key, ...pack.chunk(chunk) });
  }
  const live = new ChunkIdSet();
  const reader = new ChunkReader(repository, index);
  for (const snapshot of await repository.listSnapshots()) {
    step();
    await forEachReferencedChunk(snapshot, reader, markAll(live));
  }
  const isPackLive = (key: string) => packs.get(key)?.someId((id) => live.has(id)) ?? false;

  const tombstones: TombstoneRecord[] = [];
  for await (const object of repository.backend.list(TOMBSTONES_PREFIX)) {
    step();
    tombstones.push({ key: object.key, value: await repository.getObject(object.key, (text) => tombstoneCodec.decodeJson(text)), writtenAt: object.lastModified });
  }
  const alreadyCondemned = new Set(tombstones.flatMap((tombstone) => tombstone.value.packs));

  // Phase 2: act on ripe tombstones.
  const toDelete: string[] = [];
  const stillCondemned: string[] = [];
  const ripeTombstones: string[] = [];
  for (const tombstone of tombstones) {
    step();
    const writtenAt = tombstone.writtenAt.getTime();
    const startedBefore = locks.some((lock) => firstWrittenAt(lock).getTime() < writtenAt + WRITE_ORDER_ALLOWANCE_MS);
    if (now - writtenAt < graceMs || startedBefore) {
      report.waitingTombstones++;
      continue;
    }
    ripeTombstones.push(tombstone.key);
    for (const packKey of tombstone.value.packs) {
      if (isPackLive(packKey)) {
        report.resurrectedPacks++;
        continue;
      }
      // A session resumed after its packs were condemned runs beside them. It does not adopt them, but a
      // mover from before that rule would, and its snapshot would then need them: they wait for it to end.
      if (runningSessions.has(sessionOfPackKey(packKey))) {
        report.sessionHeldPacks++;
        stillCondemned.push(packKey);
        continue;
      }
      const until = await repository.backend.retainedUntil(packKey);
      if (until && until > serverNow) {
        report.retainedPacks++;
        stillCondemned.push(packKey);
        continue;
      }
      toDelete.push(packKey);
    }
  }
  step();
  const first = gcGoingFirst(await listLiveLocks(repository, serverNow), own);
  if (first) return gaveWay(first);
  const deleted = new Set(toDelete);
  if (toDelete.length > 0 || indexKeys.length > 1) {
    const kept = [...packs.values()].filter((pack) => !deleted.has(pack.key));
    // Several bounded objects rather than one holding the whole repository's index: see MAX_INDEX_OBJECT_CHUNKS.
    const consolidatedKeys = await writeIndexObjects(repository, `gc-${newSessionId(clock())}`, 0, kept, clock(), indexObjectChunks);
    // They replace index objects a SafeLock may hold: they carry the longest of their locks, so what a
    // locked snapshot needs is never named only by an object that can be deleted.
    const longest = await longestRetention(repository, indexKeys, serverNow);
    if (longest) for (const key of consolidatedKeys) await repository.backend.extendRetention(key, longest);
    for (const key of indexKeys) if (!consolidatedKeys.includes(key)) await deleteUnlessRetained(repository, key, step);
    report.indexObjectsConsolidated = indexKeys.length;
    for (const packKey of toDelete) {
      const size = packs.get(packKey)?.size ?? 0;
      if (await deleteUnlessRetained(repository, packKey, step)) {
        report.deletedPacks++;
        report.reclaimedBytes += size;
        packs.delete(packKey);
      } else {
        stillCondemned.push(packKey);
      }
    }
  }

  // Phase 1: condemn packs nothing references (including packs no index names: crashed, unresumed sessions).
  const condemned = [...stillCondemned];
  for await (const object of repository.backend.list(PACKS_PREFIX)) {
    step();
    if (alreadyCondemned.has(object.key) || deleted.has(object.key)) continue;
    if (runningSessions.has(sessionOfPackKey(object.key)) || now - object.lastModified.getTime() < graceMs) continue;
    if (isPackLive(object.key)) {
      report.livePacks++;
      const pack = packs.get(object.key)!;
      if (pack.someId((id) => !live.has(id))) report.partiallyLivePacks++;
      continue;
    }
    condemned.push(object.key);
  }
  report.condemnedPacks = condemned.length - stillCondemned.length;
  step();
  if (condemned.length > 0) {
    const at = clock();
    await repository.putObject(tombstoneKey(at), { version: 1, createdAt: at.toISOString(), packs: condemned } satisfies Tombstone, { unretained: true });
  }
  for (const key of ripeTombstones) await deleteUnlessRetained(repository, key, step);
  return report;
}

async function longestRetention(repository: Repository, keys: readonly string[], now: Date): Promise<Date | undefined> {
  let longest: Date | undefined;
  for (const key of keys) {
    const until = await repository.backend.retainedUntil(key);
    if (until && until > now && (!longest || until > longest)) longest = until;
  }
  return longest;
}

/** Takes a step first: no deletion starts once the run is cancelled (or its lock lapsed). */
async function deleteUnlessRetained(repository: Repository, key: string, step: () => void): Promise<boolean> {
  step();
  try {
    await repository.backend.delete(key);
    return true;
  } catch (error) {
    if (error instanceof ObjectRetainedError) return false;
    throw error;
  }
}
