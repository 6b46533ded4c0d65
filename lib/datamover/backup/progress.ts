const DEFAULT_CHECKPOINT_EVERY_MS = 30_000;
const DEFAULT_CHECKPOINT_EVERY_BYTES = 1024 * 1024 * 1024;

/** What a run has counted so far; every checkpoint and the snapshot report it. */
export interface BackupCounters {
  files: number;
  bytes: number;
  filesRead: number;
  bytesRead: number;
}

/**
 * When the next checkpoint is due: after so many bytes read or so much time, whichever comes first. Asked
 * after every entry, so an unchanged re-run pays only a clock read for it.
 */
export class CheckpointSchedule {
  /** Counted by the readers; bytes make a checkpoint due sooner when reading is fast. */
  bytesSinceCheckpoint = 0;
  private lastCheckpointAt: number;
  private readonly everyBytes: number;
  private readonly everyMs: number;

  constructor(
    private readonly clock: () => Date,
    everyBytes: number | undefined,
    everyMs: number | undefined,
  ) {
    this.everyBytes = everyBytes ?? DEFAULT_CHECKPOINT_EVERY_BYTES;
    this.everyMs = everyMs ?? DEFAULT_CHECKPOINT_EVERY_MS;
    this.lastCheckpointAt = clock().getTime();
  }

  get due(): boolean {
    return this.bytesSinceCheckpoint >= this.everyBytes || this.clock().getTime() - this.lastCheckpointAt >= this.everyMs;
  }

  /** Called once a checkpoint's data is durable, before it is reported. */
  restart(): void {
    this.bytesSinceCheckpoint = 0;
    this.lastCheckpointAt = this.clock().getTime();
  }
}
