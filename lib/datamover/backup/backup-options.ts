import type { BackupCheckpoint, Snapshot, VolumeMode } from '../../../proto/repository/index.js';
import type { Xattrs } from '../xattrs/attr-tools.js';
import type { CopyFigures } from './progress.js';
import type { WalkSource } from './walk-thread.js';

export interface BackupOptions {
  /** Directory to back up, or the device/image file in block mode. */
  source: string;
  volume: string;
  volumeMode?: VolumeMode;
  tags?: Record<string, string>;
  /** `auto` (default): the volume's latest snapshot; `none`: read everything; or a snapshot id. */
  parent?: string;
  concurrentFiles?: number;
  maxBytesPerSecondPerStream?: number;
  memoryLimitBytes?: number;
  checkpointEveryMs?: number;
  checkpointEveryBytes?: number;
  onCheckpoint?: (checkpoint: BackupCheckpoint) => void | Promise<void>;
  resumeFrom?: BackupCheckpoint;
  /** Manifest chunk ids per link of a checkpoint's manifest list (default MANIFEST_LIST_LINK_IDS); tests shrink it. */
  manifestListLinkIds?: number;
  /** Handed, once the run has started, a reader of its live figures, to sample as often as the caller likes. */
  observe?: (figures: () => CopyFigures) => void;
  /**
   * Record extended attributes (default true). Needs getfattr (the `attr` package); without it none are
   * recorded. One recursive getfattr pass lists the whole tree, beside the walk and the index load.
   */
  xattrs?: boolean;
  /** Threads that hash, compress and encrypt chunks; 0 seals inline (needed where workers cannot load TypeScript). */
  sealWorkers?: number;
  /** Walk the tree on a thread of its own (default false, for the same reason as sealWorkers); see walk-thread.ts. */
  walkThread?: boolean;
  /**
   * Entries from elsewhere instead of walking `source` (filesystem mode; the caller honours `resumeFrom`'s
   * cursor). The many-files bench feeds a synthetic tree of ten million entries through the rest of the run.
   */
  walk?: WalkSource;
  clock?: () => Date;
}

export interface BackupResult {
  snapshot: Snapshot;
  /** True when the snapshot already existed: the run being resumed had finished. */
  alreadyComplete: boolean;
}

/** Work a run starts before taking its lock. */
export interface HeadStart {
  parent: Promise<Snapshot | undefined>;
  xattrScan: Promise<Map<string, Xattrs> | undefined>;
  /** Filesystem mode only. */
  walk: WalkSource | undefined;
}
