import type { Snapshot } from '../../../proto/repository/index.js';
import { SnapshotNotFoundError } from '../errors.js';
import { newSessionId } from '../repository/layout.js';
import type { Repository } from '../repository/repository.js';
import { SessionLockHandle } from '../repository/session-lock.js';
import { scanXattrs, type Xattrs } from '../xattrs/attr-tools.js';
import type { BackupOptions, BackupResult, HeadStart } from './backup-options.js';
import { BackupRun } from './backup-run.js';
import { startWalk } from './walk-thread.js';


/**
 * Backs up one volume into a snapshot; see lib/datamover/README.md for the flow. The repository may
 * still be opening (deriving its key takes about 0.1 s): the walk and the attribute scan need nothing
 * from it, so they start first.
 */
export async function runBackup(opening: Repository | Promise<Repository>, options: BackupOptions): Promise<BackupResult> {
  const filesystem = (options.volumeMode ?? 'filesystem') === 'filesystem';
  const walk = filesystem ? (options.walk ?? startWalk(options.source, options.resumeFrom?.cursor, options.walkThread ?? false)) : undefined;
  const xattrScan = startXattrScan(options);
  try {
    return await backUp(await opening, options, { xattrScan, walk });
  } finally {
    await walk?.close();
  }
}

async function backUp(repository: Repository, options: BackupOptions, early: Omit<HeadStart, 'parent'>): Promise<BackupResult> {
  const clock = options.clock ?? (() => new Date());
  const resume = options.resumeFrom;
  const sessionId = resume?.sessionId ?? newSessionId(clock());
  if (resume) {
    const existing = await repository.readSnapshot(sessionId).catch((error: unknown) => {
      if (error instanceof SnapshotNotFoundError) return undefined;
      throw error;
    });
    if (existing) return { snapshot: existing, alreadyComplete: true };
  }
  // The parent's snapshot record is read while the lock is written: it names manifest chunks, but they are
  // looked up only in the index, which is loaded once the lock is in place (GC's guarantee rests on that).
  const started: HeadStart = { ...early, parent: findParent(repository, options) };
  started.parent.catch(() => undefined);
  const lock = await SessionLockHandle.acquire(repository, sessionId, 'backup', clock);
  try {
    const run = await BackupRun.prepare(repository, options, sessionId, clock, started, lock);
    return { snapshot: await run.execute(), alreadyComplete: false };
  } finally {
    await lock.release();
  }
}

function startXattrScan(options: BackupOptions): Promise<Map<string, Xattrs> | undefined> {
  if (options.xattrs === false || (options.volumeMode ?? 'filesystem') !== 'filesystem') return Promise.resolve(undefined);
  const scan = scanXattrs(options.source);
  scan.catch(() => undefined);
  return scan;
}

/** The snapshot an incremental run compares against: `parent` option, see BackupOptions. */
async function findParent(repository: Repository, options: BackupOptions): Promise<Snapshot | undefined> {
  const choice = options.parent ?? 'auto';
  if (choice === 'none') return undefined;
  return choice === 'auto' ? repository.latestSnapshotOf(options.volume) : repository.readSnapshot(choice);
}
