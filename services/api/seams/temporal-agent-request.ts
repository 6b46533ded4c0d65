import { ActivityFailure, TimeoutFailure, WorkflowFailedError, type Client } from '@temporalio/client';
import type { SearchAttributePair } from '@temporalio/common';
import { Problem } from '../../../lib/common/problem.js';

/** Room for the control worker to start the workflow and hand back the result, on top of the agent's bound. */
const WORKFLOW_MARGIN_MS = 15_000;

function timedOut(error: unknown): boolean {
  for (let cause: unknown = error; cause instanceof Error; cause = (cause as { cause?: unknown }).cause) {
    if (cause instanceof TimeoutFailure) return true;
  }
  return false;
}

export interface AgentRequest {
  workflowType: string;
  workflowId: string;
  clusterId: string;
  timeoutMs: number;
  searchAttributes: SearchAttributePair[];
  args: unknown[];
  /** The request's name in problems: "did not answer <the preview>", "could not <preview the definition>". */
  noun: string;
  verb: string;
}

/**
 * Runs a short workflow on the control queue whose one activity goes to the cluster's queue, and waits
 * for its answer. Temporal's timeouts are the bound: no answer within it is a 504 naming who did not answer.
 */
export async function askAgent<T>(client: Client, controlTaskQueue: string, request: AgentRequest): Promise<T> {
  const seconds = Math.round(request.timeoutMs / 1000);
  try {
    return await client.workflow.execute<(...args: unknown[]) => Promise<T>>(request.workflowType, {
      taskQueue: controlTaskQueue,
      workflowId: request.workflowId,
      workflowExecutionTimeout: request.timeoutMs + WORKFLOW_MARGIN_MS,
      typedSearchAttributes: request.searchAttributes,
      args: request.args,
    });
  } catch (error) {
    if (error instanceof WorkflowFailedError && timedOut(error)) {
      const who = error.cause instanceof ActivityFailure ? `the agent of cluster ${request.clusterId}` : 'the Haven worker';
      throw new Problem('agent-timeout', `${who} did not answer ${request.noun} within ${seconds} s; check that it runs and can reach Temporal, then retry`);
    }
    if (error instanceof WorkflowFailedError && error.cause instanceof ActivityFailure && error.cause.cause) {
      throw new Problem('internal', `the agent of cluster ${request.clusterId} could not ${request.verb}: ${error.cause.cause.message}`);
    }
    throw error;
  }
}
