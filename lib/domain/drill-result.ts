import type { Static } from '@sinclair/typebox';
import type { DrillResult } from '../common/enums.js';
import type { DrillDifferenceV1 } from '../../proto/agent/drill-check.js';

/**
 * One way a drill's restored copy differs from its recovery point. `kind` says what was compared:
 * RESTORE (the restore itself failed or left something out), RESOURCE (an object missing or not as
 * backed up), VOLUME (a PV's data), READINESS (a workload that never became ready).
 */
export type DrillDifference = Static<typeof DrillDifferenceV1>;

/** A drill run's verdict, on its job and (the latest) on the recovery point it drilled. */
export interface StoredDrillOutcome {
  result: DrillResult;
  recoveryPointId: string;
  /** The job of the drill that produced it. */
  jobId: string;
  /** The scratch namespaces the copy was restored into (removed afterwards). */
  namespaces: string[];
  resourcesCompared: number;
  volumesCompared: number;
  /**
   * PVs filled from a copy whose restored data was read back and digested on both sides (the volume and
   * the repository); absent in verdicts recorded before digests were compared.
   */
  volumesDigested?: number;
  workloadsReady: number;
  differences: DrillDifference[];
  endedAt: string;
}

/** At most this many differences are kept per drill; the message says how many there were. */
export const MAX_DRILL_DIFFERENCES = 200;
