import { parseLabelSelector } from '../../../lib/common/label-selector.js';
import type { BackupRunInput } from '../../../workflows/backup-input.js';
import type { BackupDefinition } from '../resources/backup-definitions/schema.js';
import type { RunRequest } from './workflow-launcher.js';

/**
 * Turns the API's run request into the backup workflow's input: the selection in the agent's
 * structured form, the destination and retention already resolved.
 */
export function backupRunInput(request: RunRequest): BackupRunInput {
  const definition = request.definition as BackupDefinition;
  if (!request.destination) throw new Error(`backup run ${request.workflowId} has no resolved destination`);
  if (!request.retention) throw new Error(`backup run ${request.workflowId} has no resolved retention`);
  return {
    orgId: request.orgId,
    jobId: request.jobId,
    definitionId: request.definitionId,
    definitionName: request.definitionName,
    clusterId: request.clusterId,
    storageTargetId: request.destination.storageTargetId,
    retention: request.retention,
    recoveryPointType: definition.persistentVolumes.mode === 'SNAPSHOT_ONLY' ? 'SNAPSHOT' : 'COPY',
    selection: agentSelection(definition),
  };
}

/**
 * A definition's selection in the agent's structured form. Labels were validated when the definition
 * was saved, so a parse failure here is a bug, not user input.
 */
export function agentSelection(definition: Pick<BackupDefinition, 'id' | 'selection'>): BackupRunInput['selection'] {
  const labels = parseLabelSelector(definition.selection.labels);
  if (!labels.ok) throw new Error(`definition ${definition.id} has invalid labels: ${labels.error.message}`);
  return {
    scope: definition.selection.scope,
    namespaces: definition.selection.namespaces,
    excludedNamespaces: definition.selection.excludedNamespaces,
    resourceTypes: definition.selection.resourceTypes,
    labels: labels.selector,
  };
}
