/**
 * The data mover's error catalogue. Each error has a stable `code` that the activity layer turns into a
 * Temporal ApplicationFailure type; `retryable` says whether trying again can help.
 */
export abstract class DataMoverError extends Error {
  abstract readonly code: string;
  abstract readonly retryable: boolean;
}

/** The secret given does not unwrap the repository keys (or the header was altered). */
export class WrongRepositoryKeyError extends DataMoverError {
  readonly code = 'REPOSITORY_KEY_WRONG';
  readonly retryable = false;
  constructor() {
    super('the storage secret does not open this repository (wrong secret, or the repository header was altered)');
    this.name = 'WrongRepositoryKeyError';
  }
}

export class RepositoryNotFoundError extends DataMoverError {
  readonly code = 'REPOSITORY_NOT_FOUND';
  readonly retryable = false;
  constructor(readonly location: string) {
    super(`no repository at ${location}; run init first`);
    this.name = 'RepositoryNotFoundError';
  }
}

export class RepositoryExistsError extends DataMoverError {
  readonly code = 'REPOSITORY_EXISTS';
  readonly retryable = false;
  constructor(readonly location: string) {
    super(`a repository already exists at ${location}`);
    this.name = 'RepositoryExistsError';
  }
}

/**
 * A directory or object inside a repository is a symbolic link, where the repository writes only plain
 * directories and files: followed, it would lead the reader (the control plane's GC, most dangerously) to
 * data outside the repository.
 */
export class RepositoryLinkError extends DataMoverError {
  readonly code = 'REPOSITORY_LINK_REFUSED';
  readonly retryable = false;
  constructor(readonly path: string) {
    super(`the repository contains a symbolic link (${path}); a repository holds only plain directories and files, so it is not followed`);
    this.name = 'RepositoryLinkError';
  }
}

/** Restored or verified bytes do not match their chunk id: the stored data is corrupt or was tampered with. */
export class ChunkVerificationError extends DataMoverError {
  readonly code = 'CHUNK_VERIFICATION_FAILED';
  readonly retryable = false;
  constructor(
    readonly chunkId: string,
    readonly objectKey: string,
    readonly path: string | undefined,
    readonly reason: string,
  ) {
    super(`chunk ${chunkId.slice(0, 16)}… in ${objectKey}${path === undefined ? '' : ` (file ${path})`}: ${reason}`);
    this.name = 'ChunkVerificationError';
  }
}

/**
 * A repository object (index, snapshot, pack trailer, tombstone) fails authentication or decoding.
 * `remedy` tells the operator what to run when a command of the data mover can deal with it: without it,
 * one corrupt object blocks every backup and nothing says how to get going again.
 */
export class CorruptObjectError extends DataMoverError {
  readonly code = 'REPOSITORY_OBJECT_CORRUPT';
  readonly retryable = false;
  constructor(
    readonly objectKey: string,
    readonly reason: string,
    readonly remedy?: string,
  ) {
    super(`repository object ${objectKey} is corrupt: ${reason}${remedy ? `; ${remedy}` : ''}`);
    this.name = 'CorruptObjectError';
  }
}

/**
 * A repository object written by a newer data mover, in a format this build does not read. Not damage:
 * nothing may move it aside; the answer is an upgrade.
 */
export class UnsupportedObjectVersionError extends DataMoverError {
  readonly code = 'REPOSITORY_VERSION_UNSUPPORTED';
  readonly retryable = false;
  constructor(
    readonly objectKey: string,
    readonly detail: string,
  ) {
    super(`repository object ${objectKey} is in a newer format: ${detail}`);
    this.name = 'UnsupportedObjectVersionError';
  }
}

/**
 * A manifest entry a restore will not write: a path that is absolute, not canonical or leaves the target,
 * or one below something that is not a directory this restore made (it could lead through a symlink).
 * A manifest the data mover wrote never has one; this one was altered or forged.
 */
export class UnsafeManifestPathError extends DataMoverError {
  readonly code = 'MANIFEST_PATH_UNSAFE';
  readonly retryable = false;
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`the snapshot's manifest names ${JSON.stringify(path)}, which a restore does not write: ${reason}`);
    this.name = 'UnsafeManifestPathError';
  }
}

/** A manifest references a chunk that no index knows (deleted by GC, or index lost). */
export class MissingChunkError extends DataMoverError {
  readonly code = 'CHUNK_MISSING';
  readonly retryable = false;
  constructor(
    readonly chunkId: string,
    readonly path: string | undefined,
  ) {
    super(`chunk ${chunkId.slice(0, 16)}…${path === undefined ? '' : ` of ${path}`} is in no index`);
    this.name = 'MissingChunkError';
  }
}

/**
 * A pack the snapshot being recorded may reference is gone: deleted while the backup ran (by a GC that took
 * the session for dead, or by hand). Nothing is recorded; a new run loads the tombstone that condemned it
 * and uploads those chunks again.
 */
export class PackMissingError extends DataMoverError {
  readonly code = 'PACK_MISSING';
  readonly retryable = true;
  constructor(readonly packKey: string) {
    super(`pack ${packKey} disappeared while the backup ran; no snapshot was recorded`);
    this.name = 'PackMissingError';
  }
}

export class SnapshotNotFoundError extends DataMoverError {
  readonly code = 'SNAPSHOT_NOT_FOUND';
  readonly retryable = false;
  constructor(readonly snapshotId: string) {
    super(`snapshot ${snapshotId} not found`);
    this.name = 'SnapshotNotFoundError';
  }
}

export class ObjectNotFoundError extends DataMoverError {
  readonly code = 'OBJECT_NOT_FOUND';
  readonly retryable = false;
  constructor(readonly objectKey: string) {
    super(`object ${objectKey} not found`);
    this.name = 'ObjectNotFoundError';
  }
}

/** An object is under Object Lock retention (or its local equivalent) and cannot be deleted yet. */
export class ObjectRetainedError extends DataMoverError {
  readonly code = 'OBJECT_RETAINED';
  readonly retryable = false;
  constructor(
    readonly objectKey: string,
    readonly retainUntil: Date,
  ) {
    super(`object ${objectKey} is retained until ${retainUntil.toISOString()}`);
    this.name = 'ObjectRetainedError';
  }
}

/** Conditional create lost a race: someone else wrote the key first. */
export class ObjectExistsError extends DataMoverError {
  readonly code = 'OBJECT_EXISTS';
  readonly retryable = false;
  constructor(readonly objectKey: string) {
    super(`object ${objectKey} already exists`);
    this.name = 'ObjectExistsError';
  }
}

/** Storage failed after all retries; the activity may retry later. */
export class StorageUnavailableError extends DataMoverError {
  readonly code = 'STORAGE_UNAVAILABLE';
  readonly retryable = true;
  constructor(
    readonly operation: string,
    readonly objectKey: string,
    override readonly cause: unknown,
  ) {
    super(`${operation} ${objectKey} failed after retries: ${(cause as Error)?.message ?? String(cause)}`);
    this.name = 'StorageUnavailableError';
  }
}

/**
 * A filesystem repository's disk (or quota) is full. Not retryable: another attempt meets the same full
 * disk; the run fails saying so, and the next run after space is freed completes (what was written
 * before is whole: every object lands by rename, and the run's partial temp file is removed).
 */
export class StorageFullError extends DataMoverError {
  readonly code = 'STORAGE_FULL';
  readonly retryable = false;
  constructor(
    readonly location: string,
    override readonly cause: unknown,
  ) {
    super(`the repository storage at ${location} is full (${(cause as NodeJS.ErrnoException)?.code ?? 'no space left'}): free space or raise the quota, then run again`);
    this.name = 'StorageFullError';
  }
}

/**
 * The storage endpoint did not connect, or did not finish answering, within its deadline (request-limits.ts).
 * Retryable: a congested endpoint may answer the next time; a hostile one costs each attempt its deadline.
 */
export class StorageTimeoutError extends DataMoverError {
  readonly code = 'STORAGE_TIMEOUT';
  readonly retryable = true;
  constructor(
    readonly operation: string,
    readonly limitMs: number,
    readonly phase: 'connect' | 'answer',
  ) {
    super(phase === 'connect' ? `the storage endpoint did not accept a connection within ${formatSeconds(limitMs)}` : `the storage endpoint did not answer ${operation} within ${formatSeconds(limitMs)}`);
    this.name = 'StorageTimeoutError';
  }
}

/** An answer larger than any a real S3 server gives to this request: read no further. */
export class StorageAnswerTooLargeError extends DataMoverError {
  readonly code = 'STORAGE_ANSWER_TOO_LARGE';
  readonly retryable = false;
  constructor(
    readonly operation: string,
    readonly limitBytes: number,
  ) {
    super(`the storage endpoint's answer to ${operation} is larger than ${limitBytes} bytes, more than an S3 server sends for it`);
    this.name = 'StorageAnswerTooLargeError';
  }
}

/** The endpoint answered, but not in HTTP as S3 speaks it (another service's banner, a broken proxy). */
export class StorageAnswerNotS3Error extends DataMoverError {
  readonly code = 'STORAGE_ANSWER_NOT_S3';
  readonly retryable = false;
  constructor(readonly operation: string) {
    super(`the storage endpoint answered ${operation} with something that is not S3 (another kind of server listens there)`);
    this.name = 'StorageAnswerNotS3Error';
  }
}

function formatSeconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}

/**
 * The session's lock went unrewritten for so long that GC may have taken the session for dead (and deleted
 * packs it relies on, or started beside it). The run stops before recording anything more; a new run loads
 * what GC condemned meanwhile, so trying again helps.
 */
export class SessionLockLapsedError extends DataMoverError {
  readonly code = 'SESSION_LOCK_LAPSED';
  readonly retryable = true;
  constructor(
    readonly sessionId: string,
    readonly unrefreshedMs: number,
  ) {
    super(`the lock of session ${sessionId} was not rewritten for ${Math.round(unrefreshedMs / 1000)} s; GC may have taken the session for dead, so it stops`);
    this.name = 'SessionLockLapsedError';
  }
}

export class ResumeMismatchError extends DataMoverError {
  readonly code = 'RESUME_CHECKPOINT_UNUSABLE';
  readonly retryable = false;
  constructor(reason: string) {
    super(`cannot resume from checkpoint: ${reason}`);
    this.name = 'ResumeMismatchError';
  }
}

export class InvalidArgumentError extends DataMoverError {
  readonly code = 'INVALID_ARGUMENT';
  readonly retryable = false;
  constructor(message: string) {
    super(message);
    this.name = 'InvalidArgumentError';
  }
}

/** setfattr refused extended attributes: trusted.* without root, or a target filesystem without xattr support. */
export class XattrRestoreError extends DataMoverError {
  readonly code = 'XATTR_RESTORE_FAILED';
  readonly retryable = false;
  constructor(readonly detail: string) {
    super(`extended attributes could not be restored: ${detail}`);
    this.name = 'XattrRestoreError';
  }
}
