/**
 * Turns the product's memory limit into concurrency. The big consumers are known: each file in flight
 * holds a read buffer, the chunker's look-ahead and chunks being sealed; each pack holds its body while it
 * fills and uploads. Everything else (walk, manifest, bundles) is bounded by constants.
 */
export const DEFAULT_MEMORY_LIMIT_BYTES = 1024 * 1024 * 1024;
export const MIN_MEMORY_LIMIT_BYTES = 512 * 1024 * 1024;
const DEFAULT_CONCURRENT_FILES = 8;

const MiB = 1024 * 1024;
/** Node, V8, the SDK and the chunk index of a mid-sized repository. */
const BASELINE_BYTES = 200 * MiB;
const PER_FILE_BYTES = 28 * MiB;
const PER_PACK_UPLOAD_BYTES = 2 * 16 * MiB;

interface ResourcePlan {
  concurrentFiles: number;
  uploadConcurrency: number;
  readSize: number;
  /** Walked entries that may wait for earlier ones to reach the manifest. */
  windowEntries: number;
  /** Restore: stored bytes fetched and not yet written, across all files. */
  restoreBytesInFlight: number;
}

export function planResources(memoryLimitBytes = DEFAULT_MEMORY_LIMIT_BYTES, requestedFiles = DEFAULT_CONCURRENT_FILES): ResourcePlan {
  const spare = Math.max(0, memoryLimitBytes - BASELINE_BYTES);
  const uploadConcurrency = spare >= 8 * PER_PACK_UPLOAD_BYTES ? 4 : 2;
  const forFiles = spare - (uploadConcurrency + 1) * PER_PACK_UPLOAD_BYTES;
  const concurrentFiles = Math.max(1, Math.min(requestedFiles, Math.floor(forFiles / PER_FILE_BYTES)));
  // Half of what is left after the baseline, within 64–256 MiB: beyond that S3 reads are already overlapped enough.
  const restoreBytesInFlight = Math.min(256 * MiB, Math.max(64 * MiB, Math.floor(spare / 2)));
  return { concurrentFiles, uploadConcurrency, readSize: 8 * MiB, windowEntries: 256, restoreBytesInFlight };
}
