import { firstWrittenAt, type LiveLock } from '../repository/session-lock.js';

/**
 * Only one GC may run at a time. Each consolidates the index from its own reading of it: a GC that read
 * before another deleted packs would write an index naming them again, and a backup deduplicating against
 * that index would record chunks that are gone.
 *
 * GCs take turns in the order their locks were first written (server clock); a GC gives way to any live
 * GC lock written before its own or in the same instant. It looks once its lock is written, and again
 * before it changes anything: a rival whose PUT started first but landed after the first look (S3 stamps
 * a PUT when it starts) is seen by then. Two written in the same instant may both give way: a pass with
 * no GC is retried by the next one, while no tie-break can tell one that already looked alone and went
 * ahead from one that will, so two that both went ahead would be possible.
 */
export function gcGoingFirst(locks: readonly LiveLock[], own: { sessionId: string; startedAt: Date }): LiveLock | undefined {
  return locks.find((lock) => lock.kind === 'gc' && lock.sessionId !== own.sessionId && goesBefore(lock, own));
}

function goesBefore(lock: LiveLock, own: { sessionId: string; startedAt: Date }): boolean {
  const started = firstWrittenAt(lock).getTime();
  return started <= own.startedAt.getTime();
}
