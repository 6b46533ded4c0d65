/** What happened to one object of the recovery point. */
export const RESOURCE_OUTCOMES = [
  /** Did not exist on the target and was created. */
  'CREATED',
  /** Existed and was replaced with the backed-up state (policy UPDATE). */
  'UPDATED',
  /** Not applied: it existed under policy SKIP, or the cluster generates it itself. */
  'SKIPPED',
  /** Could not be applied; `reason` says why. */
  'FAILED',
] as const;
export type ResourceOutcomeKind = (typeof RESOURCE_OUTCOMES)[number];

/** The restore as a whole: every object applied or deliberately skipped, or some failed. */
export const RESOURCE_RESTORE_STATUSES = ['COMPLETED', 'PARTIAL'] as const;
export type ResourceRestoreStatus = (typeof RESOURCE_RESTORE_STATUSES)[number];

export interface ResourceOutcome {
  typeId: string;
  kind: string;
  /** Source namespace and name, as the recovery point holds them. */
  namespace?: string;
  name: string;
  /** Where it went on the target, when a transform renamed its namespace. */
  targetNamespace?: string;
  outcome: ResourceOutcomeKind;
  reason?: string;
}

export interface ResourceRestoreReport {
  status: ResourceRestoreStatus;
  counts: Record<ResourceOutcomeKind, number>;
  outcomes: ResourceOutcome[];
}

export interface ResourceRestoreProgress {
  done: number;
  total: number;
  last: ResourceOutcome;
}

export function summarize(outcomes: ResourceOutcome[]): ResourceRestoreReport {
  const counts: Record<ResourceOutcomeKind, number> = { CREATED: 0, UPDATED: 0, SKIPPED: 0, FAILED: 0 };
  for (const o of outcomes) counts[o.outcome]++;
  return { status: counts.FAILED > 0 ? 'PARTIAL' : 'COMPLETED', counts, outcomes };
}
