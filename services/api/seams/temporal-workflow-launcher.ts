import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client, type WorkflowStartOptions } from '@temporalio/client';
import { Problem } from '../../../lib/common/problem.js';
import { CLUSTER_ID_ATTRIBUTE, DEFINITION_ID_ATTRIBUTE, KIND_ATTRIBUTE } from '../../../lib/common/temporal/names.js';
import { recoveryPointDeletionWorkflowId, type RecoveryPointDeletionInput } from '../../../lib/domain/runs/recovery-point-deletion.js';
import type { RunStart } from '../../../lib/domain/runs/run-inputs.js';
import { WORKFLOW_TYPES } from '../../../lib/domain/runs/workflow-types.js';
import type { backupWorkflow } from '../../../workflows/backup.js';
import type { deleteRecoveryPointWorkflow } from '../../../workflows/recovery-point-delete.js';
import type { replicationWorkflow } from '../../../workflows/replication.js';
import type { restoreWorkflow } from '../../../workflows/restore.js';
import type { rdsBackupWorkflow } from '../../../workflows/rds-backup.js';
import type { rdsRestoreWorkflow } from '../../../workflows/rds-restore.js';
import type { rdsInventoryWorkflow } from '../../../workflows/rds-inventory.js';
import type { RdsRestoreRunInput } from '../../../lib/domain/rds/restore.js';
import { rdsInventoryWorkflowId, type RdsInventoryOutcome } from '../../../lib/domain/rds/inventory.js';
import type { drillWorkflow } from '../../../workflows/drill.js';
import type { DesiredSchedules } from './definition-schedules.js';
import type { storageVerificationWorkflow } from '../../../workflows/storage-verification.js';
import { VERIFICATION_KIND, verificationScheduleOptions, type DesiredVerificationSchedule } from './verification-schedule.js';
import { verificationScheduleId } from '../../../lib/domain/runs/storage-verification.js';
import type { TemporalSchedules } from './temporal-schedules.js';
import type { StartedRun, WorkflowLauncher } from './workflow-launcher.js';

/**
 * Starts and cancels runs on Temporal. Runs carry search attributes (cluster, definition, kind) so a
 * person finds them in the Temporal UI. The API's workflow id is reused on a retried start
 * (USE_EXISTING), which makes the start idempotent.
 */
export class TemporalWorkflowLauncher implements WorkflowLauncher {
  constructor(
    private readonly client: Client,
    private readonly controlTaskQueue: string,
    private readonly schedules: TemporalSchedules,
  ) {}

  async startRun(run: RunStart): Promise<StartedRun> {
    const common = {
      taskQueue: this.controlTaskQueue,
      workflowId: run.workflowId,
      workflowIdConflictPolicy: 'USE_EXISTING' as const,
      typedSearchAttributes: [
        ...(run.clusterId ? [{ key: CLUSTER_ID_ATTRIBUTE, value: run.clusterId }] : []),
        { key: DEFINITION_ID_ATTRIBUTE, value: run.definitionId },
        { key: KIND_ATTRIBUTE, value: run.kind },
      ],
    };
    const handle = await this.startKind(run, common);
    return { runId: handle.firstExecutionRunId };
  }

  private startKind(run: RunStart, common: Omit<WorkflowStartOptions, 'args'>) {
    switch (run.kind) {
      case 'BACKUP':
        return this.client.workflow.start<typeof backupWorkflow>(WORKFLOW_TYPES.backup, { ...common, args: [run.input] });
      case 'RESTORE':
        return this.client.workflow.start<typeof restoreWorkflow>(WORKFLOW_TYPES.restore, { ...common, args: [run.input] });
      case 'REPLICATION':
        return this.client.workflow.start<typeof replicationWorkflow>(WORKFLOW_TYPES.replication, { ...common, args: [run.input] });
      case 'RDS_BACKUP':
        return this.client.workflow.start<typeof rdsBackupWorkflow>(WORKFLOW_TYPES.rdsBackup, { ...common, args: [run.input] });
      case 'DRILL':
        return this.client.workflow.start<typeof drillWorkflow>(WORKFLOW_TYPES.drill, { ...common, args: [run.input] });
    }
  }

  /** Starts an RDS restore the API resolved and recorded the job of; a retried start joins the first. */
  async startRdsRestore(run: { workflowId: string; input: RdsRestoreRunInput }): Promise<StartedRun> {
    const handle = await this.client.workflow.start<typeof rdsRestoreWorkflow>(WORKFLOW_TYPES.rdsRestore, {
      taskQueue: this.controlTaskQueue,
      workflowId: run.workflowId,
      workflowIdConflictPolicy: 'USE_EXISTING',
      typedSearchAttributes: [{ key: KIND_ATTRIBUTE, value: 'RDS_RESTORE' }],
      args: [run.input],
    });
    return { runId: handle.firstExecutionRunId };
  }

  /** Starts (or joins) an account's inventory refresh and waits for it: it is a few Describe calls per region. */
  async runRdsInventory(account: { orgId: string; cloudAccountId: string }): Promise<RdsInventoryOutcome> {
    return this.client.workflow.execute<typeof rdsInventoryWorkflow>(WORKFLOW_TYPES.rdsInventory, {
      taskQueue: this.controlTaskQueue,
      workflowId: rdsInventoryWorkflowId(account.orgId, account.cloudAccountId),
      workflowIdConflictPolicy: 'USE_EXISTING',
      typedSearchAttributes: [{ key: KIND_ATTRIBUTE, value: 'RDS_INVENTORY' }],
      args: [{ accounts: [account] }],
    });
  }

  /** The workflow records CANCELLED on the job once it has cleaned up. */
  async cancelRun(run: { jobId: string; workflowId: string }): Promise<void> {
    try {
      await this.client.workflow.getHandle(run.workflowId).cancel();
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw new Problem('conflict', `job ${run.jobId} has no running workflow to cancel`);
      throw error;
    }
  }

  async pauseSchedule(definition: { id: string }): Promise<void> {
    await this.schedules.setPaused(definition.id, true);
  }

  async resumeSchedule(definition: { id: string }): Promise<void> {
    await this.schedules.setPaused(definition.id, false);
  }

  syncSchedules(desired: DesiredSchedules): Promise<void> {
    return this.schedules.sync(desired);
  }

  /** A deletion already running for the point is joined (USE_EXISTING), not raced. */
  async deleteRecoveryPoint(recoveryPoint: { orgId: string; id: string }): Promise<{ workflowId: string }> {
    return this.startDeletion(recoveryPoint, { scope: 'ALL', cause: 'REQUESTED' }, 'USE_EXISTING');
  }

  /**
   * Under the point's one deletion id, so it never races a deletion. Joining a running deletion would
   * answer as if released while the agent may still be deleting: refused instead, the caller retries.
   */
  async releaseRecoveryPoint(recoveryPoint: { orgId: string; id: string }): Promise<{ workflowId: string }> {
    try {
      return await this.startDeletion(recoveryPoint, { scope: 'RELEASE', cause: 'RELEASED' }, 'FAIL');
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      throw new Problem('conflict', `a deletion of recovery point ${recoveryPoint.id} is running; release it once that deletion's job has ended`);
    }
  }

  async verifyStorageTarget(verification: { orgId: string; storageTargetId: string; verificationId: string; workflowId: string }): Promise<void> {
    await this.client.workflow.start<typeof storageVerificationWorkflow>(WORKFLOW_TYPES.storageVerification, {
      taskQueue: this.controlTaskQueue,
      workflowId: verification.workflowId,
      workflowIdConflictPolicy: 'USE_EXISTING',
      typedSearchAttributes: [{ key: KIND_ATTRIBUTE, value: VERIFICATION_KIND }],
      args: [{ orgId: verification.orgId, storageTargetId: verification.storageTargetId, trigger: 'REQUESTED', verificationId: verification.verificationId }],
    });
  }

  async syncVerificationSchedule(desired: DesiredVerificationSchedule): Promise<void> {
    if (!desired.settings?.enabled) {
      await this.schedules.remove(verificationScheduleId(desired.storageTargetId));
      return;
    }
    await this.schedules.put(verificationScheduleOptions({ ...desired, settings: desired.settings }, this.controlTaskQueue), desired.orgId);
  }

  private async startDeletion(
    recoveryPoint: { orgId: string; id: string },
    what: Pick<RecoveryPointDeletionInput, 'scope' | 'cause'>,
    workflowIdConflictPolicy: 'USE_EXISTING' | 'FAIL',
  ): Promise<{ workflowId: string }> {
    const workflowId = recoveryPointDeletionWorkflowId(recoveryPoint.orgId, recoveryPoint.id);
    await this.client.workflow.start<typeof deleteRecoveryPointWorkflow>(WORKFLOW_TYPES.deleteRecoveryPoint, {
      taskQueue: this.controlTaskQueue,
      workflowId,
      workflowIdConflictPolicy,
      typedSearchAttributes: [{ key: KIND_ATTRIBUTE, value: 'RECOVERY_POINT_DELETE' }],
      args: [{ orgId: recoveryPoint.orgId, recoveryPointId: recoveryPoint.id, ...what }],
    });
    return { workflowId };
  }
}
