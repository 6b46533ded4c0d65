import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { Problem } from '../../../lib/common/problem.js';
import {
  BACKUP_WORKFLOW_TYPE,
  CLUSTER_ID_ATTRIBUTE,
  DEFINITION_ID_ATTRIBUTE,
  KIND_ATTRIBUTE,
} from '../../../lib/common/temporal/names.js';
import type { backupWorkflow } from '../../../workflows/backup.js';
import type { deleteRecoveryPointWorkflow } from '../../../workflows/recovery-point-delete.js';
import { DELETE_RECOVERY_POINT_WORKFLOW_TYPE, recoveryPointDeletionWorkflowId } from '../../../workflows/recovery-point-deletion-input.js';
import type { RestoreRunInput } from '../../../workflows/restore-input.js';
import type { restoreWorkflow } from '../../../workflows/restore.js';
import type { Restore } from '../resources/restores/schema.js';
import { REPLICATION_WORKFLOW_TYPE, replicationRunInput } from '../resources/replication-definitions/run-input.js';
import type { replicationWorkflow } from '../../../workflows/replication.js';
import { backupRunInput } from './backup-run-input.js';
import type { DesiredSchedules } from './definition-schedules.js';
import type { TemporalSchedules } from './temporal-schedules.js';
import type { RunRequest, StartedRun, WorkflowLauncher } from './workflow-launcher.js';

/** The restore workflow's exported name (workflows/restore.ts). */
const RESTORE_WORKFLOW_TYPE = 'restoreWorkflow';

/** The restore record as the run's input; the run itself reads where the recovery point's data is. */
function restoreRunInput(request: RunRequest): RestoreRunInput {
  const restore = request.definition as Restore;
  if (!restore.recoveryPointId) throw new Error(`restore run ${request.workflowId} has no recovery point`);
  return {
    orgId: request.orgId,
    jobId: request.jobId,
    restoreId: request.definitionId,
    restoreName: request.definitionName,
    recoveryPointId: restore.recoveryPointId,
    targetClusterId: request.clusterId,
    selection: restore.selection,
    transforms: restore.transforms,
    existingResources: restore.existingResources,
  };
}

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

  private refuse(action: string): never {
    throw new Problem('workflows-unavailable', `${action} is not available in this Haven build yet; nothing was changed`);
  }

  async startRun(request: RunRequest): Promise<StartedRun> {
    const common = {
      taskQueue: this.controlTaskQueue,
      workflowId: request.workflowId,
      workflowIdConflictPolicy: 'USE_EXISTING' as const,
      typedSearchAttributes: [
        { key: CLUSTER_ID_ATTRIBUTE, value: request.clusterId },
        { key: DEFINITION_ID_ATTRIBUTE, value: request.definitionId },
        { key: KIND_ATTRIBUTE, value: request.kind },
      ],
    };
    if (request.kind === 'BACKUP') {
      const handle = await this.client.workflow.start<typeof backupWorkflow>(BACKUP_WORKFLOW_TYPE, { ...common, args: [backupRunInput(request)] });
      return { runId: handle.firstExecutionRunId };
    }
    if (request.kind === 'RESTORE') {
      const handle = await this.client.workflow.start<typeof restoreWorkflow>(RESTORE_WORKFLOW_TYPE, { ...common, args: [restoreRunInput(request)] });
      return { runId: handle.firstExecutionRunId };
    }
    const handle = await this.client.workflow.start<typeof replicationWorkflow>(REPLICATION_WORKFLOW_TYPE, { ...common, args: [replicationRunInput(request)] });
    return { runId: handle.firstExecutionRunId };
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
    const workflowId = recoveryPointDeletionWorkflowId(recoveryPoint.id);
    await this.client.workflow.start<typeof deleteRecoveryPointWorkflow>(DELETE_RECOVERY_POINT_WORKFLOW_TYPE, {
      taskQueue: this.controlTaskQueue,
      workflowId,
      workflowIdConflictPolicy: 'USE_EXISTING',
      typedSearchAttributes: [{ key: KIND_ATTRIBUTE, value: 'RECOVERY_POINT_DELETE' }],
      args: [{ orgId: recoveryPoint.orgId, recoveryPointId: recoveryPoint.id, scope: 'ALL', cause: 'REQUESTED' }],
    });
    return { workflowId };
  }
}
