import { Problem } from '../../../lib/common/problem.js';
import type { DefinitionKind } from '../../../lib/common/enums.js';
import type { ResolvedDestination } from '../../../lib/domain/destination.js';
import type { DesiredSchedules } from './definition-schedules.js';

/**
 * Everything the API asks of the workflow engine. The API resolves a definition into one immutable
 * run request before calling, so a workflow never looks things up piecemeal; the Temporal
 * implementation (workflow issues) plugs in here, and tests substitute a recording fake.
 */
export interface WorkflowLauncher {
  startRun(request: RunRequest): Promise<StartedRun>;
  cancelRun(run: { jobId: string; workflowId: string }): Promise<void>;
  pauseSchedule(definition: { id: string; kind: DefinitionKind }): Promise<void>;
  resumeSchedule(definition: { id: string; kind: DefinitionKind }): Promise<void>;
  /** Makes the engine's schedules for one definition match its policy and paused flag. */
  syncSchedules(desired: DesiredSchedules): Promise<void>;
  /** Starts the deletion of a point the caller checked exists and is not SafeLocked; the run records its job. */
  deleteRecoveryPoint(recoveryPoint: { orgId: string; id: string; storageTargetId: string }): Promise<{ workflowId: string }>;
}

export interface RunRequest {
  orgId: string;
  /** The job row the API recorded for this run; the workflow updates it. */
  jobId: string;
  /** Chosen by the API (readable: <kind>-<definition>-<time>) so a retried start is idempotent. */
  workflowId: string;
  kind: DefinitionKind;
  definitionId: string;
  definitionName: string;
  clusterId: string;
  /** Where the data goes, already resolved through job > cluster > account. */
  destination: ResolvedDestination | null;
  /** Present for ad-hoc runs and for definitions without a policy. */
  retention: { days: number; safeLock: boolean } | null;
  /** The definition's full API representation at the moment of the request. */
  definition: unknown;
}

export interface StartedRun {
  runId: string;
}

/** Until the workflow issues land: every action says so, plainly, instead of pretending. */
export class UnavailableWorkflowLauncher implements WorkflowLauncher {
  private refuse(action: string): never {
    throw new Problem('workflows-unavailable', `${action} needs the workflow engine, which this Haven build does not include yet; nothing was changed`);
  }

  startRun(request: RunRequest): Promise<StartedRun> {
    this.refuse(`running ${request.kind.toLowerCase()} definition "${request.definitionName}"`);
  }

  cancelRun(): Promise<void> {
    this.refuse('cancelling a job');
  }

  pauseSchedule(): Promise<void> {
    this.refuse('pausing a schedule');
  }

  resumeSchedule(): Promise<void> {
    this.refuse('resuming a schedule');
  }

  deleteRecoveryPoint(): Promise<{ workflowId: string }> {
    this.refuse('deleting a recovery point (its data must be removed from storage first)');
  }

  /**
   * Nothing is scheduled without the engine, yet definitions with policies may still be saved: the API
   * reconciles every definition's schedules when it next starts with Temporal (schedule-reconcile.ts).
   */
  async syncSchedules(): Promise<void> {}
}
