import { hostname } from 'node:os';
import { sessionLockCodec, type SessionLock } from '../../../proto/repository/index.js';
import { lockKey, LOCKS_PREFIX } from './layout.js';
import type { Repository } from './repository.js';

/** A running mover rewrites its lock this often... */
const LOCK_REFRESH_MS = 60_000;
/** ...and a lock not rewritten for this long belongs to a dead mover. */
const LOCK_STALE_MS = 15 * 60_000;

/**
 * Marks a session as running, for GC: condemned packs are only deleted once every backup that started
 * before the condemnation has finished. Locks are plaintext: they hold no secrets and GC must read them
 * cheaply.
 */
export class SessionLockHandle {
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly repository: Repository,
    readonly record: SessionLock,
    private readonly clock: () => Date,
  ) {}

  static async acquire(repository: Repository, sessionId: string, kind: SessionLock['kind'], clock: () => Date): Promise<SessionLockHandle> {
    const now = clock().toISOString();
    const record: SessionLock = { version: 1, sessionId, kind, hostname: hostname(), pid: process.pid, startedAt: now, refreshedAt: now };
    const handle = new SessionLockHandle(repository, record, clock);
    await handle.write();
    handle.timer = setInterval(() => void handle.write().catch(() => undefined), LOCK_REFRESH_MS);
    handle.timer.unref();
    return handle;
  }

  async release(): Promise<void> {
    clearInterval(this.timer);
    await this.repository.backend.delete(lockKey(this.record.sessionId)).catch(() => undefined);
  }

  private async write(): Promise<void> {
    this.record.refreshedAt = this.clock().toISOString();
    await this.repository.backend.put(lockKey(this.record.sessionId), Buffer.from(JSON.stringify(this.record)), { unretained: true });
  }
}

export async function listLiveLocks(repository: Repository, now: Date): Promise<SessionLock[]> {
  const locks: SessionLock[] = [];
  for await (const object of repository.backend.list(LOCKS_PREFIX)) {
    try {
      const lock = sessionLockCodec.decodeJson((await repository.backend.get(object.key)).toString('utf8'));
      if (now.getTime() - Date.parse(lock.refreshedAt) < LOCK_STALE_MS) locks.push(lock);
    } catch {
      // A lock deleted while listing, or garbage: neither blocks anyone.
    }
  }
  return locks;
}
