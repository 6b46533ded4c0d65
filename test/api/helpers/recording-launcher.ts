import type { DesiredSchedules } from '../../../services/api/seams/definition-schedules.js';
import type { RunStart } from '../../../lib/domain/runs/run-inputs.js';
import type { WorkflowLauncher } from '../../../services/api/seams/workflow-launcher.js';
import type { DesiredVerificationSchedule } from '../../../services/api/seams/verification-schedule.js';

/** Stands in for Temporal: records what the API asked for and reports success. */
export class RecordingLauncher implements WorkflowLauncher {
  readonly runs: RunStart[] = [];
  readonly calls: string[] = [];
  readonly schedules: DesiredSchedules[] = [];
  readonly verificationSchedules: DesiredVerificationSchedule[] = [];

  async startRun(request: RunStart) {
    this.runs.push(request);
    return { runId: `run-${this.runs.length}` };
  }
  async cancelRun(run: { jobId: string }) {
    this.calls.push(`cancel:${run.jobId}`);
  }
  async pauseSchedule(definition: { id: string }) {
    this.calls.push(`pause:${definition.id}`);
  }
  async resumeSchedule(definition: { id: string }) {
    this.calls.push(`resume:${definition.id}`);
  }
  async syncSchedules(desired: DesiredSchedules) {
    this.schedules.push(desired);
  }
  async deleteRecoveryPoint(recoveryPoint: { id: string }) {
    this.calls.push(`delete:${recoveryPoint.id}`);
    return { workflowId: `recovery-point-delete-${recoveryPoint.id}` };
  }
  async startRdsRestore(run: { workflowId: string }) {
    this.calls.push(`rds-restore:${run.workflowId}`);
    return { runId: `run-${this.calls.length}` };
  }
  async runRdsInventory(account: { cloudAccountId: string }) {
    this.calls.push(`rds-inventory:${account.cloudAccountId}`);
    return { accounts: [{ cloudAccountId: account.cloudAccountId, found: 0, markedDeleted: 0 }] };
  }
  async releaseRecoveryPoint(recoveryPoint: { id: string }) {
    this.calls.push(`release:${recoveryPoint.id}`);
    return { workflowId: `recovery-point-delete-${recoveryPoint.id}` };
  }
  async verifyStorageTarget(verification: { verificationId: string }) {
    this.calls.push(`verify:${verification.verificationId}`);
  }
  async syncVerificationSchedule(desired: DesiredVerificationSchedule) {
    this.verificationSchedules.push(desired);
  }
}
