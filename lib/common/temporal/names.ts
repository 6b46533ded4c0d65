import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Names shared by the API, the worker, the agent and the workflows. Node-free, so workflow code may
 * import it.
 */

/** The only queue an agent polls: it carries that cluster's Kubernetes work and nothing else. */
export function clusterTaskQueue(clusterId: string): string {
  return `cluster.${clusterId}`;
}

/** The name the gateway knows a cluster's agent by: task tokens and poller identities are bound to it. */
export function clusterPrincipal(clusterId: string): string {
  return `cluster:${clusterId}`;
}

/** The name the gateway knows one mover pod by (its own queue). */
export function moverPrincipal(taskQueue: string): string {
  return `mover:${taskQueue}`;
}

/** Registered on the server (the local stack does it at start) so runs can be found in the Temporal UI. */
export const CLUSTER_ID_ATTRIBUTE = defineSearchAttributeKey('HavenClusterId', SearchAttributeType.KEYWORD);
export const DEFINITION_ID_ATTRIBUTE = defineSearchAttributeKey('HavenDefinitionId', SearchAttributeType.KEYWORD);
export const KIND_ATTRIBUTE = defineSearchAttributeKey('HavenKind', SearchAttributeType.KEYWORD);

const ORGANIZATION_PREFIX = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}):/;

/**
 * Every workflow that works for an organization has an id starting with that organization's id: the
 * payload codec seals its payloads with the organization's key, and the gateway hands its activity tasks
 * only to that organization's clusters.
 */
export function organizationWorkflowId(orgId: string, local: string): string {
  return `${orgId}:${local}`;
}

/** The organization a workflow works for; undefined for the installation's own workflows. */
export function organizationOfWorkflowId(workflowId: string | null | undefined): string | undefined {
  return workflowId ? ORGANIZATION_PREFIX.exec(workflowId)?.[1] : undefined;
}

/**
 * The identity the gateway gives a poller it authenticated. Only the gateway and the control plane talk
 * to Temporal, so a poller named this way on a cluster's queue is that cluster's agent.
 */
export function gatewayPollerIdentity(principal: string, identity: string): string {
  return `haven-gateway/${principal}/${identity}`;
}

export function isGatewayPollerOf(principal: string, identity: string | null | undefined): boolean {
  return identity?.startsWith(`haven-gateway/${principal}/`) ?? false;
}
