import type { jobs } from '../../../../lib/db/schema/index.js';
import type { RunReading } from '../../seams/run-progress.js';
import type { JobProgress, VolumeProgress } from './schema.js';

type Figures = Omit<VolumeProgress, 'namespace' | 'claim' | 'state'>;

/** Seconds left at `rate`, when both the remainder and the rate are known. */
function eta(done: number, expected: number | null, rate: number | null): number | null {
  if (expected === null || rate === null || rate <= 0) return null;
  return Math.max(0, expected - done) / rate;
}

function sum(values: (number | null)[]): number | null {
  return values.some((v) => v === null) ? null : values.reduce<number>((total, v) => total + v!, 0);
}

/**
 * The job's progress from one reading of its run: each volume's figures come from its copy's last
 * heartbeat while it is copied, from the run's own record once copied, and are zero before; totals add
 * them up (an expected total only when every volume has one, a rate over the copies in flight).
 */
export function jobProgress(reading: RunReading, now: Date): JobProgress {
  const volumes: VolumeProgress[] = reading.volumes.map((volume) => {
    const live = reading.live.find((l) => l.namespace === volume.namespace && l.claim === volume.claim)?.progress;
    let figures: Figures;
    if (live) {
      const bytesExpected = live.bytesExpected ?? null;
      const bytesPerSecond = live.bytesPerSecond ?? null;
      figures = {
        bytesDone: live.bytesDone,
        bytesExpected,
        filesDone: live.filesDone,
        filesExpected: live.filesExpected ?? null,
        bytesPerSecond,
        etaSeconds: eta(live.bytesDone, bytesExpected, bytesPerSecond),
      };
    } else if (volume.bytes !== undefined) {
      const files = volume.files ?? 0;
      figures = { bytesDone: volume.bytes, bytesExpected: volume.bytes, filesDone: files, filesExpected: files, bytesPerSecond: null, etaSeconds: 0 };
    } else {
      figures = { bytesDone: 0, bytesExpected: null, filesDone: 0, filesExpected: null, bytesPerSecond: null, etaSeconds: null };
    }
    return { namespace: volume.namespace, claim: volume.claim, state: volume.state, ...figures };
  });
  const bytesDone = volumes.reduce((total, v) => total + v.bytesDone, 0);
  const bytesExpected = sum(volumes.map((v) => v.bytesExpected));
  const rates = volumes.map((v) => v.bytesPerSecond).filter((r): r is number => r !== null);
  const bytesPerSecond = rates.length > 0 ? rates.reduce((total, r) => total + r, 0) : null;
  const updatedAt = reading.live.map((l) => l.progress.measuredAt).sort().at(-1) ?? now.toISOString();
  return {
    step: reading.step,
    description: reading.description,
    stepStartedAt: reading.stepStartedAt,
    updatedAt,
    bytesDone,
    bytesExpected,
    filesDone: volumes.reduce((total, v) => total + v.filesDone, 0),
    filesExpected: sum(volumes.map((v) => v.filesExpected)),
    bytesPerSecond,
    etaSeconds: eta(bytesDone, bytesExpected, bytesPerSecond),
    volumes,
  };
}

/** A run that has no progress query (a recovery point deletion): its step alone, as the job records it. */
export function stepOnlyProgress(row: typeof jobs.$inferSelect, now: Date): JobProgress {
  return {
    step: row.kind,
    description: row.message,
    stepStartedAt: row.startedAt.toISOString(),
    updatedAt: now.toISOString(),
    bytesDone: 0,
    bytesExpected: null,
    filesDone: 0,
    filesExpected: null,
    bytesPerSecond: null,
    etaSeconds: null,
    volumes: [],
  };
}
