import { firstWrittenAt, type LiveLock } from '../repository/session-lock.js';

/**
 * Only one GC may run at a time. Each consolidates the index from its own reading of it: a GC that read
 * before another deleted packs would write an index naming them again, and a backup deduplicating against
 * that index would record chunks that are gone.
 *
 * GCs take turns in the order their locks were first written (server clock), the lower session id first
 * when two were written in the same instant; a GC gives way to any live GC lock before its own. It looks
 * once its lock is written, and again before it changes anything: a rival whose PUT started first but
 * landed after the first look (S3 stamps a PUT when it starts) is seen by then, and the two agree.
 */
export function gcGoingFirst(locks: readonly LiveLock[], own: { sessionId: string; startedAt: Date }): LiveLock | undefined {
  return locks.find((lock) => lock.kind === 'gc' && lock.sessionId !== own.sessionId && goesBefore(lock, own));
}

function goesBefore(lock: LiveLock, own: { sessionId: string; startedAt: Date }): boolean {
  const started = firstWrittenAt(lock).getTime();
  return started < own.startedAt.getTime() || (started === own.startedAt.getTime() && lock.sessionId < own.sessionId);
}
