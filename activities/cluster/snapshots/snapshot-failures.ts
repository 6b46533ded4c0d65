import { ApiException } from '@kubernetes/client-node';
import { ApplicationFailure } from '@temporalio/activity';
import { AGENT_FAILURE_TYPES, AgentMessageError } from '../../../proto/agent/index.js';
import { SnapshotNameTakenError } from './create-snapshot.js';
import { SnapshotContentMissingError } from './retain-content.js';

/**
 * Failures of the snapshot activities that retrying cannot fix become non-retryable with a message a
 * person can act on; anything else (a flaky API server) stays retryable.
 */
export function toSnapshotActivityFailure(error: unknown): unknown {
  if (error instanceof ApplicationFailure) return error;
  if (error instanceof AgentMessageError) return ApplicationFailure.nonRetryable(error.message, error.code);
  if (error instanceof SnapshotNameTakenError || error instanceof SnapshotContentMissingError) return ApplicationFailure.nonRetryable(error.message, error.code);
  if (error instanceof ApiException && (error.code === 401 || error.code === 403)) {
    return ApplicationFailure.nonRetryable(
      `the agent may not manage VolumeSnapshots or read claims (HTTP ${error.code}); check the agent's service account and RBAC from the install manifest`,
      AGENT_FAILURE_TYPES.kubeAccessDenied,
    );
  }
  return error;
}
