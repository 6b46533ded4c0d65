import { ApplicationFailure } from '@temporalio/activity';
import { MOVER_TOKEN_LIFETIME_MS, mintMoverToken } from '../../lib/cluster-access/mover-token.js';
import type { ControlDeps } from './deps.js';

/**
 * Mover tokens are minted here, on the control plane, because only it holds the installation key that
 * signs them; the workflow hands each to the agent with the pod it starts.
 */
export function moverTokenActivities(deps: ControlDeps) {
  return {
    /** A token for one mover pod's queue (`mover.<cluster>.<job>.<n>`); the gateway refuses it once the job ends. */
    async issueMoverToken(input: { clusterId: string; jobId: string; taskQueue: string }): Promise<string> {
      if (!input.taskQueue.startsWith(`mover.${input.clusterId}.${input.jobId}.`)) {
        throw ApplicationFailure.nonRetryable(`queue ${input.taskQueue} is not a mover queue of job ${input.jobId} on cluster ${input.clusterId}`, 'INVALID_MOVER_QUEUE');
      }
      return mintMoverToken(deps.installationKeyring, { ...input, expiresAt: deps.clock().getTime() + MOVER_TOKEN_LIFETIME_MS });
    },
  };
}
