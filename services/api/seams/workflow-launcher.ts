import { Problem } from '../../../lib/common/problem.js';
import type { DefinitionKind } from '../../../lib/common/enums.js';
import type { RunStart } from '../../../lib/domain/runs/run-inputs.js';
import type { DesiredSchedules } from './definition-schedules.js';
import type { RdsRestoreRunInput } from '../../../lib/domain/rds/restore.js';
import type { RdsInventoryOutcome } from '../../../lib/domain/rds/inventory.js';
import type { DesiredVerificationSchedule } from './verification-schedule.js';

/**
 * Everything the API asks of the workflow engine. The API resolves a definition into one immutable
 * run input before calling, so a workflow never looks things up piecemeal; the Temporal
 * implementation (workflow issues) plugs in here, and tests substitute a recording fake.
 */
export interface WorkflowLauncher {
  startRun(run: RunStart): Promise<StartedRun>;
  cancelRun(run: { jobId: string; workflowId: string }): Promise<void>;
  pauseSchedule(definition: { id: string; kind: DefinitionKind }): Promise<void>;
  resumeSchedule(definition: { id: string; kind: DefinitionKind }): Promise<void>;
  /** Makes the engine's schedules for one definition match its policy and paused flag. */
  syncSchedules(desired: DesiredSchedules): Promise<void>;
  /** Starts the deletion of a point the caller checked exists and is not SafeLocked; the run records its job. */
  deleteRecoveryPoint(recoveryPoint: { orgId: string; id: string; storageTargetId: string | null }): Promise<{ workflowId: string }>;
  /**
   * Starts the release of a point the caller checked exists and is not SafeLocked (scope RELEASE: its
   * kept snapshots stay in the cluster). A deletion of the point still running is a `conflict`.
   */
  releaseRecoveryPoint(recoveryPoint: { orgId: string; id: string }): Promise<{ workflowId: string }>;
  /** Starts an RDS restore the API resolved and whose job it recorded. */
  startRdsRestore(run: { workflowId: string; input: RdsRestoreRunInput }): Promise<StartedRun>;
  /** Refreshes one cloud account's inventory now and answers what it found. */
  runRdsInventory(account: { orgId: string; cloudAccountId: string }): Promise<RdsInventoryOutcome>;
  /** Starts the verification whose RUNNING record the caller wrote, as workflow `workflowId`. */
  verifyStorageTarget(verification: { orgId: string; storageTargetId: string; verificationId: string; workflowId: string }): Promise<void>;
  /** Makes the engine hold the target's verification Schedule as its settings say (none once deleted or turned off). */
  syncVerificationSchedule(desired: DesiredVerificationSchedule): Promise<void>;
}

export interface StartedRun {
  runId: string;
}

/** Until the workflow issues land: every action says so, plainly, instead of pretending. */
export class UnavailableWorkflowLauncher implements WorkflowLauncher {
  private refuse(action: string): never {
    throw new Problem('workflows-unavailable', `${action} needs the workflow engine, which this Haven build does not include yet; nothing was changed`);
  }

  startRun(run: RunStart): Promise<StartedRun> {
    this.refuse(`running ${run.kind.toLowerCase()} definition "${run.definitionName}"`);
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

  releaseRecoveryPoint(): Promise<{ workflowId: string }> {
    this.refuse('releasing a recovery point (its repository snapshots must be forgotten first)');
  }

  startRdsRestore(): Promise<StartedRun> {
    this.refuse('restoring an RDS snapshot');
  }

  runRdsInventory(): Promise<RdsInventoryOutcome> {
    this.refuse('refreshing an RDS inventory');
  }
  verifyStorageTarget(): Promise<void> {
    this.refuse('verifying a storage target');
  }

  /** Like definitions' schedules: reconciled when the API next starts with Temporal. */
  async syncVerificationSchedule(): Promise<void> {}

  /**
   * Nothing is scheduled without the engine, yet definitions with policies may still be saved: the API
   * reconciles every definition's schedules when it next starts with Temporal (schedule-reconcile.ts).
   */
  async syncSchedules(): Promise<void> {}
}
