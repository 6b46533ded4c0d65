import type { DefinitionKind, RdsRunMode } from '../../common/enums.js';

/**
 * What a Temporal Schedule hands each run it starts. Only references and the schedule's retention:
 * the run resolves the definition as it is when it fires, so an edit never needs the schedule rewritten
 * (except for what is here, which a policy or definition change updates).
 */
export interface ScheduledRunInput {
  orgId: string;
  definitionId: string;
  kind: Exclude<DefinitionKind, 'RESTORE'>;
  /** The retention of the policy schedule that fired (ignored for replication). */
  retention: { days: number; safeLock: boolean };
  /** RDS definitions: SNAPSHOT for their policy's schedules, SNAPSHOT_AND_COPY for their copy policy's. */
  rdsMode?: RdsRunMode;
}

export type ScheduledRunOutcome =
  | { status: 'SKIPPED'; reason: string }
  | { status: 'FAILED'; reason: string }
  | { status: 'GONE'; reason: string };
