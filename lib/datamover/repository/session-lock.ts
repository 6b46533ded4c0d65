import { hostname } from 'node:os';
import { sessionLockCodec, type SessionLock } from '../../../proto/repository/index.js';
import { ObjectNotFoundError, SessionLockLapsedError } from '../errors.js';
import { lockKey, LOCKS_PREFIX } from './layout.js';
import type { Repository } from './repository.js';

/** A running mover rewrites its lock this often... */
const LOCK_REFRESH_MS = 60_000;
/** ...and a lock whose object has not been rewritten for this long (by the storage server's clock) belongs to a dead mover. */
export const LOCK_STALE_MS = 15 * 60_000;
/**
 * A session whose lock went this long without a successful rewrite stops: half the stale time leaves room
 * for requests that take long to land and for its clock running slower than the server's.
 */
const LOCK_LAPSE_MS = LOCK_STALE_MS / 2;
/**
 * What a lock says until its first write's server time is known: the lock has then been written once, so
 * readers take its LastModified instead (`firstWrittenAt`); a GC from before server-clock locks reads a
 * start earlier than any tombstone and waits for the session rather than trust the mover's clock.
 */
const START_NOT_YET_KNOWN = new Date(0).toISOString();

/** A lock GC found live: what it says, and when the server last saw it written. */
export interface LiveLock extends SessionLock {
  lastModified: Date;
}

/**
 * Marks a session as running, for GC: condemned packs are only deleted once every backup that started
 * before the condemnation has finished. Locks are plaintext: they hold no secrets and GC must read them
 * cheaply.
 *
 * Nodes' clocks may be minutes or hours apart, so nothing here trusts them across nodes: a lock is live
 * while its object's LastModified is recent by the server's clock, and `startedAt` is the LastModified of
 * its first write (the mover reads it back and writes it into the lock). `refreshedAt` is only for people.
 */
export class SessionLockHandle {
  private timer: NodeJS.Timeout | undefined;
  /** By the holder's clock: when the last write that succeeded was sent (its LastModified is no earlier). */
  private lastWrittenAt = Number.NEGATIVE_INFINITY;
  /** The first gap between successful writes long enough for GC to have judged the lock stale. */
  private lapse: number | undefined;

  private constructor(
    private readonly repository: Repository,
    readonly record: SessionLock,
    private readonly clock: () => Date,
  ) {}

  /** By the storage server's clock: when the lock was first written. GC's "now". */
  get startedAt(): Date {
    return new Date(this.record.startedAt);
  }

  static async acquire(repository: Repository, sessionId: string, kind: SessionLock['kind'], clock: () => Date): Promise<SessionLockHandle> {
    const record: SessionLock = { version: 1, sessionId, kind, hostname: hostname(), pid: process.pid, startedAt: START_NOT_YET_KNOWN, refreshedAt: '' };
    const handle = new SessionLockHandle(repository, record, clock);
    try {
      await handle.write();
      const written = await repository.backend.head(lockKey(sessionId));
      if (!written) throw new ObjectNotFoundError(lockKey(sessionId));
      record.startedAt = written.lastModified.toISOString();
      await handle.write();
    } catch (error) {
      await handle.release();
      throw error;
    }
    handle.timer = setInterval(() => void handle.write().catch(() => undefined), LOCK_REFRESH_MS);
    handle.timer.unref();
    return handle;
  }

  /** Rewrites the lock now. */
  async refresh(): Promise<void> {
    await this.write();
  }

  /**
   * Rewrites the lock if the timer has not lately, e.g. at a checkpoint: a run that does work between
   * timer ticks keeps its lock fresh all the same. A failure is only counted against the lock's age.
   */
  async refreshIfDue(): Promise<void> {
    if (this.clock().getTime() - this.lastWrittenAt >= LOCK_REFRESH_MS) await this.write().catch(() => undefined);
  }

  /**
   * Throws SessionLockLapsedError once the lock has gone (or ever went) LOCK_LAPSE_MS without a successful
   * rewrite. Refresh failures are not errors in themselves (the next tick may succeed), but past that point
   * GC may have judged the session dead: whatever it records next could rely on packs being deleted.
   */
  assertHeld(): void {
    const unrefreshed = this.lapse ?? this.clock().getTime() - this.lastWrittenAt;
    if (unrefreshed >= LOCK_LAPSE_MS) throw new SessionLockLapsedError(this.record.sessionId, unrefreshed);
  }

  async release(): Promise<void> {
    clearInterval(this.timer);
    await this.repository.backend.delete(lockKey(this.record.sessionId)).catch(() => undefined);
  }

  private async write(): Promise<void> {
    const sent = this.clock().getTime();
    this.record.refreshedAt = new Date(sent).toISOString();
    await this.repository.backend.put(lockKey(this.record.sessionId), Buffer.from(JSON.stringify(this.record)), { unretained: true });
    if (sent - this.lastWrittenAt >= LOCK_LAPSE_MS && Number.isFinite(this.lastWrittenAt)) this.lapse ??= sent - this.lastWrittenAt;
    this.lastWrittenAt = Math.max(this.lastWrittenAt, sent);
  }
}

/**
 * By the storage server's clock: when the lock was first written. Until its mover has written that into
 * it, the lock has been written only once, so its LastModified is that time.
 */
export function firstWrittenAt(lock: LiveLock): Date {
  return lock.startedAt === START_NOT_YET_KNOWN ? lock.lastModified : new Date(lock.startedAt);
}

/** Locks rewritten within LOCK_STALE_MS of `serverNow`, a time read from the storage server (an object's LastModified). */
export async function listLiveLocks(repository: Repository, serverNow: Date): Promise<LiveLock[]> {
  const locks: LiveLock[] = [];
  for await (const object of repository.backend.list(LOCKS_PREFIX)) {
    if (serverNow.getTime() - object.lastModified.getTime() >= LOCK_STALE_MS) continue;
    try {
      const lock = sessionLockCodec.decodeJson((await repository.getWhole(object.key)).toString('utf8'));
      locks.push({ ...lock, lastModified: object.lastModified });
    } catch {
      // A lock deleted while listing, or garbage: neither blocks anyone.
    }
  }
  return locks;
}
