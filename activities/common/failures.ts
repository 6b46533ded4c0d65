import { ApplicationFailure } from '@temporalio/activity';
import { AGENT_FAILURE_TYPES, AgentMessageError } from '../../proto/agent/index.js';
import { DataMoverError, WrongRepositoryKeyError } from '../../lib/datamover/errors.js';
import { KubeApiError } from '../../lib/kube/rest-client.js';

interface S3Like {
  name?: string;
  $metadata?: { httpStatusCode?: number };
}

const ACCESS_DENIED_NAMES = new Set(['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'InvalidToken', 'ExpiredToken']);

/**
 * Maps what the export can throw to ApplicationFailures with stable types and messages a person can act
 * on; they end up as the job's message. Unknown errors are rethrown as they are, and stay retryable.
 */
export function toActivityFailure(error: unknown, storageLocation: string): unknown {
  if (error instanceof ApplicationFailure) return error;
  if (error instanceof AgentMessageError) return ApplicationFailure.nonRetryable(error.message, error.code);
  if (error instanceof WrongRepositoryKeyError) {
    return ApplicationFailure.nonRetryable(
      `the repository at ${storageLocation} was created with another secret (another Haven installation or storage target uses this bucket and prefix); give this storage target its own prefix`,
      error.code,
    );
  }
  if (error instanceof DataMoverError) return ApplicationFailure.create({ message: error.message, type: error.code, nonRetryable: !error.retryable });
  if (error instanceof KubeApiError && (error.status === 401 || error.status === 403)) {
    return ApplicationFailure.nonRetryable(
      `the agent may not read ${error.path} (HTTP ${error.status}); check the agent's service account and RBAC from the install manifest`,
      AGENT_FAILURE_TYPES.kubeAccessDenied,
    );
  }
  const s3 = error as S3Like;
  if (s3?.name && (ACCESS_DENIED_NAMES.has(s3.name) || s3.$metadata?.httpStatusCode === 403)) {
    return ApplicationFailure.nonRetryable(
      `storage refused access to ${storageLocation} (${s3.name}): check the storage target's access key and secret, and that they may read and write the bucket`,
      AGENT_FAILURE_TYPES.storageAccessDenied,
    );
  }
  if (s3?.name === 'NoSuchBucket') {
    return ApplicationFailure.nonRetryable(`the bucket of ${storageLocation} does not exist at the storage target's endpoint`, AGENT_FAILURE_TYPES.storageBucketMissing);
  }
  return error;
}
