import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Names shared by the API, the worker, the agent and the workflows. Node-free, so workflow code may
 * import it.
 */

/** The only queue an agent polls: it carries that cluster's Kubernetes work and nothing else. */
export function clusterTaskQueue(clusterId: string): string {
  return `cluster.${clusterId}`;
}

/** Registered on the server (the local stack does it at start) so runs can be found in the Temporal UI. */
export const CLUSTER_ID_ATTRIBUTE = defineSearchAttributeKey('HavenClusterId', SearchAttributeType.KEYWORD);
export const DEFINITION_ID_ATTRIBUTE = defineSearchAttributeKey('HavenDefinitionId', SearchAttributeType.KEYWORD);
export const KIND_ATTRIBUTE = defineSearchAttributeKey('HavenKind', SearchAttributeType.KEYWORD);
