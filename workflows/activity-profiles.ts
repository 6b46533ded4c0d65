import type { ActivityOptions } from '@temporalio/workflow';
import { NON_RETRYABLE_AGENT_FAILURES } from '../proto/agent/failure-types.js';

/**
 * Named timeout profiles. Control activities are short database and Temporal calls; they retry for a
 * while because the API commits the job row only after the workflow has started (JOB_NOT_FOUND until then).
 */
export const CONTROL: ActivityOptions = {
  startToCloseTimeout: '30s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 12 },
};

/**
 * Resource export on the agent. The schedule-to-close bound covers an agent that vanishes after the
 * skip check: the run fails instead of waiting forever. Heartbeats tell a dead agent from a slow one.
 */
export const EXPORT: ActivityOptions = {
  scheduleToCloseTimeout: '30m',
  startToCloseTimeout: '20m',
  heartbeatTimeout: '2m',
  retry: { initialInterval: '5s', maximumInterval: '1m', maximumAttempts: 3, nonRetryableErrorTypes: [...NON_RETRYABLE_AGENT_FAILURES] },
};
