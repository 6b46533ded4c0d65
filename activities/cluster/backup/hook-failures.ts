import { ApplicationFailure } from '@temporalio/activity';
import { AGENT_FAILURE_TYPES, AgentMessageError } from '../../../proto/agent/index.js';
import { HookFailedError, InvalidHookError } from '../hooks/errors.js';

/**
 * A FAIL hook that failed stops the run: non-retryable, since a retry would run the command again in
 * pods that already ran it (a second freeze, a second flush). The message names pod, container and
 * exit code; the details carry the whole report so the workflow can record every pod's outcome.
 */
export function toHookActivityFailure(error: unknown): unknown {
  if (error instanceof HookFailedError) {
    return ApplicationFailure.create({ message: error.message, type: AGENT_FAILURE_TYPES.hookFailed, nonRetryable: true, details: [error.report] });
  }
  if (error instanceof InvalidHookError) return ApplicationFailure.nonRetryable(error.message, AGENT_FAILURE_TYPES.hookInvalid);
  if (error instanceof AgentMessageError) return ApplicationFailure.nonRetryable(error.message, error.code);
  return error;
}
