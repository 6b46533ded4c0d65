import type { ReplicationRunInput } from '../../../../workflows/replication-input.js';
import { agentSelection } from '../../seams/backup-run-input.js';
import type { RunRequest } from '../../seams/workflow-launcher.js';
import type { ReplicationDefinition } from './schema.js';

/** The replication workflow's name as the worker registers it (workflows/replication.ts). */
export const REPLICATION_WORKFLOW_TYPE = 'replicationWorkflow';

/**
 * Turns the API's run request into the replication workflow's input: the selection in the agent's form,
 * the temporary storage already resolved (definition > cluster > organization default), the
 * destination and transforms as the definition has them now. No retention: the temporary point gets
 * the workflow's own short one, and a policy's retention and SafeLock never apply to replication.
 */
export function replicationRunInput(request: RunRequest): ReplicationRunInput {
  const definition = request.definition as ReplicationDefinition;
  if (!request.destination) throw new Error(`replication run ${request.workflowId} has no resolved temporary storage`);
  return {
    orgId: request.orgId,
    jobId: request.jobId,
    definitionId: request.definitionId,
    definitionName: request.definitionName,
    sourceClusterId: request.clusterId,
    destinationClusterId: definition.destination.clusterId,
    destinationNamespaces: definition.destination.namespaces,
    storageTargetId: request.destination.storageTargetId,
    selection: agentSelection(definition),
    transforms: definition.transforms,
  };
}
