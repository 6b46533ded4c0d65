import type { CopyProgress } from '../../proto/mover/index.js';
import type { CopyFigures } from '../../lib/datamover/backup/progress.js';

/** The rate is over about this much of the latest samples: recent enough to follow a change of pace, long enough to be steady. */
export const RATE_WINDOW_MS = 30_000;
/** Samples closer together than this give no rate (a fraction of a second says nothing about throughput). */
const MIN_RATE_SPAN_MS = 1_000;

/**
 * Samples a copy's live figures for its heartbeats and measures its rate from successive samples (bytes
 * since the oldest sample in the window / time since it). Lives in the mover: heartbeat details are not
 * kept in the workflow's history, so a sample costs the history nothing.
 */
export class CopyProgressMeter {
  private readonly samples: { at: number; bytes: number }[] = [];

  constructor(
    private readonly figures: () => CopyFigures,
    private readonly now: () => number = Date.now,
  ) {}

  sample(): CopyProgress {
    const at = this.now();
    const { bytesDone, filesDone, bytesExpected, filesExpected } = this.figures();
    this.samples.push({ at, bytes: bytesDone });
    // Keep one sample older than the window, so the window is always spanned once it has been.
    while (this.samples.length > 2 && at - this.samples[1]!.at >= RATE_WINDOW_MS) this.samples.shift();
    const oldest = this.samples[0]!;
    const span = at - oldest.at;
    return {
      bytesDone,
      filesDone,
      ...(bytesExpected === null ? {} : { bytesExpected }),
      ...(filesExpected === null ? {} : { filesExpected }),
      ...(span >= MIN_RATE_SPAN_MS ? { bytesPerSecond: Math.max(0, ((bytesDone - oldest.bytes) * 1000) / span) } : {}),
      measuredAt: new Date(at).toISOString(),
    };
  }
}
