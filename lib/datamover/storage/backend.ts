/**
 * The one interface every storage target implements. Semantics the repository relies on:
 * - `put` is atomic: readers see the whole object or none of it;
 * - `put` with `ifAbsent` fails with ObjectExistsError when the key exists (used to create the header once);
 * - when the backend was opened with a retention period, every object written is locked until
 *   now + retention, and `delete` of a locked object fails with ObjectRetainedError.
 */
export interface ObjectInfo {
  key: string;
  size: number;
  lastModified: Date;
}

export interface ByteRange {
  offset: number;
  length: number;
  /**
   * Read into this memory (at least `length` bytes) instead of a new buffer; the result is a view of it.
   * Restore reads into reused slots of shared memory, so gigabytes of reads do not churn the allocator and GC.
   */
  into?: Uint8Array;
}

/** A read of the whole object, refused when it is (or is announced) larger than `maxBytes`. */
export interface WholeRead {
  maxBytes: number;
}

export function isRange(read: ByteRange | WholeRead | undefined): read is ByteRange {
  return read !== undefined && 'offset' in read;
}

export interface PutOptions {
  ifAbsent?: boolean;
  /**
   * Written without the backend's retention: session locks and tombstones are deleted when their work
   * ends, and a lock on them would only leave them behind (and lock what no snapshot needs).
   */
  unretained?: boolean;
}

export interface StorageBackend {
  /** Human-readable location for messages, e.g. `s3://bucket/prefix` or a directory. */
  readonly location: string;
  put(key: string, body: Uint8Array, options?: PutOptions): Promise<void>;
  /**
   * Throws ObjectNotFoundError when missing. A whole read is bounded by `maxBytes` (the object kind's
   * largest), or else by the backend's limit for any object: StorageAnswerTooLargeError past it.
   */
  get(key: string, read?: ByteRange | WholeRead): Promise<Buffer>;
  head(key: string): Promise<ObjectInfo | undefined>;
  list(prefix: string): AsyncIterable<ObjectInfo>;
  delete(key: string): Promise<void>;
  /** The retention date of the object, if it is locked at all. */
  retainedUntil(key: string): Promise<Date | undefined>;
  /**
   * Makes the object retained (COMPLIANCE on S3) until at least `until`: a later existing date stays.
   * How a SafeLock covers objects written before it, which dedup makes it depend on. True when it changed.
   */
  extendRetention(key: string, until: Date): Promise<boolean>;
}

/** Object Lock settings of an immutable target. */
export interface RetentionPolicy {
  days: number;
}

export function retainUntil(policy: RetentionPolicy | undefined, now: Date): Date | undefined {
  return policy ? new Date(now.getTime() + policy.days * 86_400_000) : undefined;
}
