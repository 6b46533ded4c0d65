import type { CopyFigures } from '../backup/progress.js';

export interface RestoreOptions {
  snapshotId: string;
  /** Target directory; in block mode the device or image file written in place. */
  target: string;
  /** Restore only these paths (relative to the volume root) and what lies below them. */
  paths?: string[];
  concurrentFiles?: number;
  memoryLimitBytes?: number;
  /** Defaults to true when running as root (the only case where chown can succeed). */
  restoreOwners?: boolean;
  /** Restore extended attributes (default true); needs setfattr (the `attr` package). */
  xattrs?: boolean;
  /** Threads that open, verify and write (default: one per core); 0 does it all on the calling thread. */
  writerThreads?: number;
  /** Handed, once the snapshot is read, a reader of the live figures (expected: the snapshot's own), to sample at will. */
  observe?: (figures: () => CopyFigures) => void;
}

export interface RestoreResult {
  entries: number;
  files: number;
  bytes: number;
  /** Sockets (recreated by their server) and device nodes when not root. */
  skipped: number;
  bytesFetched: number;
  /** Entries whose extended attributes were not restored because setfattr is not installed. */
  xattrsSkipped?: number;
}
