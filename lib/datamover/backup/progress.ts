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

/** A copy's figures as they stand, for progress displays only: nothing durable is promised by them. */
export interface CopyFigures {
  bytesDone: number;
  filesDone: number;
  bytesExpected: number | null;
  filesExpected: number | null;
}

/**
 * What a backup has finished, beside the counters (which count a file when it is walked): files taken from
 * the parent or with nothing to read count whole, files read count what has been read. The expected
 * figures are the walk's totals once the walk has ended (exact); before, the parent snapshot's figures
 * (the previous copy of the volume), or null for a first copy.
 */
export class LiveFigures {
  bytesReused = 0;
  filesReused = 0;
  filesReadDone = 0;
  walked = false;

  constructor(
    private readonly counters: BackupCounters,
    private readonly previous: { bytes: number; files: number } | undefined,
  ) {}

  /** A resumed run: everything up to the checkpoint is done, the read part of it as read. */
  resumeFrom(checkpoint: BackupCounters): void {
    this.bytesReused = checkpoint.bytes - checkpoint.bytesRead;
    this.filesReused = checkpoint.files - checkpoint.filesRead;
    this.filesReadDone = checkpoint.filesRead;
  }

  read(): CopyFigures {
    const { bytes, files } = this.counters;
    const expected = this.walked ? { bytes, files } : this.previous && { bytes: Math.max(bytes, this.previous.bytes), files: Math.max(files, this.previous.files) };
    return {
      bytesDone: this.bytesReused + this.counters.bytesRead,
      filesDone: this.filesReused + this.filesReadDone,
      bytesExpected: expected?.bytes ?? null,
      filesExpected: expected?.files ?? null,
    };
  }
}
