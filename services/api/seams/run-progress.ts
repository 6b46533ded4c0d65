import type { JobKind } from '../../../lib/common/enums.js';
import type { CopyProgress } from '../../../proto/mover/index.js';

/** One volume as the run's progress query shows it; copied ones carry their final figures. */
export interface RunVolume {
  namespace: string;
  claim: string;
  state: string;
  bytes?: number;
  files?: number;
}

/** A copy in flight, as its mover last heartbeated it. */
export interface LiveCopy {
  namespace: string;
  claim: string;
  progress: CopyProgress;
}

/** What a running run answers: its step (from its query) and its copies in flight (from its pending activities). */
export interface RunReading {
  step: string;
  description: string;
  stepStartedAt: string;
  volumes: RunVolume[];
  live: LiveCopy[];
}

/** Reads a run's live progress; never stored, so it costs the run's history nothing. */
export interface RunProgressReader {
  /** null when the run cannot answer (Temporal or the worker unreachable, or too slow): progress is then unknown, not an error. */
  read(run: { kind: JobKind; workflowId: string }): Promise<RunReading | null>;
}

export const noRunProgress: RunProgressReader = { read: async () => null };
