/**
 * Turns the product's memory limit into concurrency. The big consumers are known: each file in flight
 * holds a read buffer and, on its sealing worker, the pieces being cut and the chunks awaiting a verdict;
 * each pack holds its body while it fills and uploads. Everything else (walk, manifest, bundles) is bounded
 * by constants.
 */
export const DEFAULT_MEMORY_LIMIT_BYTES = 1024 * 1024 * 1024;
export const MIN_MEMORY_LIMIT_BYTES = 512 * 1024 * 1024;
const DEFAULT_CONCURRENT_FILES = 8;

const MiB = 1024 * 1024;
/**
 * A backup plans to hold this share of its limit. The rest is headroom for what each thread's V8 frees
 * late (dead buffers wait for a collection that external allocations trigger only past a margin) and for
 * the allocator: at the default 1024 MB limit, a first backup peaks near 500 MiB (bench/README.md).
 */
const PLANNED_SHARE = 0.5;
/**
 * Measured with no file in flight: Node and V8 on the main thread, the walk thread and two sealing workers,
 * what they have not collected yet, and the chunk index of a mid-sized repository.
 */
const BASELINE_BYTES = 380 * MiB;
/** Bytes read at once from one file, moved to its sealing worker. */
export const READ_BYTES = 4 * MiB;
/** Per file in flight: its read buffer, its share on the worker (STREAM_BUDGET_BYTES) and the pieces its chunks keep alive. */
const PER_FILE_BYTES = 25 * MiB;
/** One pack body (16 MiB target, plus its largest last chunk and trailer), filling or uploading. */
const PER_PACK_UPLOAD_BYTES = 20 * MiB;
/** Restore's own baseline: no sealing workers, its buffers are the run slots below. */
const RESTORE_BASELINE_BYTES = 200 * MiB;
/** What a file being restored holds beside the run slots: its runs' reads and its writes queued. */
const PER_RESTORED_FILE_BYTES = 28 * MiB;

interface ResourcePlan {
  /** Backup: files read at once. */
  concurrentFiles: number;
  /** Restore: files written at once (their bytes in flight are bounded by restoreBytesInFlight). */
  restoreConcurrentFiles: number;
  uploadConcurrency: number;
  readSize: number;
  /** Walked entries that may wait for earlier ones to reach the manifest. */
  windowEntries: number;
  /** Restore: stored bytes fetched and not yet written, across all files. */
  restoreBytesInFlight: number;
}

export function planResources(memoryLimitBytes = DEFAULT_MEMORY_LIMIT_BYTES, requestedFiles = DEFAULT_CONCURRENT_FILES): ResourcePlan {
  const spare = Math.max(0, memoryLimitBytes * PLANNED_SHARE - BASELINE_BYTES);
  const uploadConcurrency = spare >= 8 * PER_PACK_UPLOAD_BYTES ? 4 : 2;
  const forFiles = spare - (uploadConcurrency + 1) * PER_PACK_UPLOAD_BYTES;
  const concurrentFiles = Math.max(1, Math.min(requestedFiles, Math.floor(forFiles / PER_FILE_BYTES)));
  // Half of what is left after the baseline, within 64–256 MiB: beyond that S3 reads are already overlapped enough.
  const restoreSpare = Math.max(0, memoryLimitBytes - RESTORE_BASELINE_BYTES);
  const restoreBytesInFlight = Math.min(256 * MiB, Math.max(64 * MiB, Math.floor(restoreSpare / 2)));
  const restoreConcurrentFiles = Math.max(1, Math.min(requestedFiles, Math.floor(restoreSpare / PER_RESTORED_FILE_BYTES)));
  return { concurrentFiles, restoreConcurrentFiles, uploadConcurrency, readSize: READ_BYTES, windowEntries: 256, restoreBytesInFlight };
}
