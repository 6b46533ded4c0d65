import { randomUUID } from 'node:crypto';
import { ActivityFailure, TimeoutFailure, WorkflowFailedError, type Client } from '@temporalio/client';
import { Problem } from '../../../lib/common/problem.js';
import { CLUSTER_ID_ATTRIBUTE, DEFINITION_ID_ATTRIBUTE, KIND_ATTRIBUTE, organizationWorkflowId } from '../../../lib/common/temporal/names.js';
import type { PreviewBackupResult } from '../../../proto/agent/index.js';
import type { PreviewBackupInput, previewBackupWorkflow } from '../../../workflows/preview.js';
import type { BackupPreviewer } from './backup-preview.js';
import { WORKFLOW_TYPES } from '../../../lib/domain/runs/workflow-types.js';


/** HavenKind of preview runs, beside the job kinds of real runs. */
export const PREVIEW_KIND = 'BACKUP_PREVIEW';

/** Room for the control worker to start the workflow and hand back the result, on top of the agent's bound. */
const WORKFLOW_MARGIN_MS = 15_000;

function timedOut(error: unknown): boolean {
  for (let cause: unknown = error; cause instanceof Error; cause = (cause as { cause?: unknown }).cause) {
    if (cause instanceof TimeoutFailure) return true;
  }
  return false;
}

/**
 * Runs the preview as a short workflow on the control queue whose one activity goes to the cluster's
 * queue. Temporal's timeouts are the bound: no answer within it is a 504 naming who did not answer.
 */
export class TemporalBackupPreviewer implements BackupPreviewer {
  constructor(
    private readonly client: Client,
    private readonly controlTaskQueue: string,
  ) {}

  async preview(input: PreviewBackupInput & { orgId: string; definitionId: string }): Promise<PreviewBackupResult> {
    const { orgId, definitionId, ...workflowInput } = input;
    const seconds = Math.round(input.timeoutMs / 1000);
    try {
      return await this.client.workflow.execute<typeof previewBackupWorkflow>(WORKFLOW_TYPES.previewBackup, {
        taskQueue: this.controlTaskQueue,
        workflowId: organizationWorkflowId(orgId, `preview-${definitionId}-${randomUUID()}`),
        workflowExecutionTimeout: input.timeoutMs + WORKFLOW_MARGIN_MS,
        typedSearchAttributes: [
          { key: CLUSTER_ID_ATTRIBUTE, value: input.clusterId },
          { key: DEFINITION_ID_ATTRIBUTE, value: definitionId },
          { key: KIND_ATTRIBUTE, value: PREVIEW_KIND },
        ],
        args: [workflowInput],
      });
    } catch (error) {
      if (error instanceof WorkflowFailedError && timedOut(error)) {
        const who = error.cause instanceof ActivityFailure ? `the agent of cluster ${input.clusterId}` : 'the Haven worker';
        throw new Problem('agent-timeout', `${who} did not answer the preview within ${seconds} s; check that it runs and can reach Temporal, then retry`);
      }
      if (error instanceof WorkflowFailedError && error.cause instanceof ActivityFailure && error.cause.cause) {
        throw new Problem('internal', `the agent of cluster ${input.clusterId} could not preview the definition: ${error.cause.cause.message}`);
      }
      throw error;
    }
  }
}
