import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { CLUSTER_ID_ATTRIBUTE, DEFINITION_ID_ATTRIBUTE, KIND_ATTRIBUTE, organizationWorkflowId } from '../../../lib/common/temporal/names.js';
import type { PreviewBackupResult } from '../../../proto/agent/index.js';
import type { PreviewBackupInput } from '../../../workflows/preview.js';
import type { BackupPreviewer } from './backup-preview.js';
import { WORKFLOW_TYPES } from '../../../lib/domain/runs/workflow-types.js';
import { askAgent } from './temporal-agent-request.js';

/** HavenKind of preview runs, beside the job kinds of real runs. */
export const PREVIEW_KIND = 'BACKUP_PREVIEW';

/** Runs the preview as a short workflow whose one activity is the agent's (askAgent). */
export class TemporalBackupPreviewer implements BackupPreviewer {
  constructor(
    private readonly client: Client,
    private readonly controlTaskQueue: string,
  ) {}

  async preview(input: PreviewBackupInput & { orgId: string; definitionId: string }): Promise<PreviewBackupResult> {
    const { orgId, definitionId, ...workflowInput } = input;
    return askAgent<PreviewBackupResult>(this.client, this.controlTaskQueue, {
      workflowType: WORKFLOW_TYPES.previewBackup,
      workflowId: organizationWorkflowId(orgId, `preview-${definitionId}-${randomUUID()}`),
      clusterId: input.clusterId,
      timeoutMs: input.timeoutMs,
      searchAttributes: [
        { key: CLUSTER_ID_ATTRIBUTE, value: input.clusterId },
        { key: DEFINITION_ID_ATTRIBUTE, value: definitionId },
        { key: KIND_ATTRIBUTE, value: PREVIEW_KIND },
      ],
      args: [workflowInput],
      noun: 'the preview',
      verb: 'preview the definition',
    });
  }
}
