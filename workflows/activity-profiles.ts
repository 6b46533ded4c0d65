import type { ActivityOptions } from '@temporalio/workflow';
import { NON_RETRYABLE_AGENT_FAILURES } from '../proto/agent/failure-types.js';

/** Repository failures a retry cannot fix. */
const REPOSITORY_FINAL_FAILURES = ['OBJECT_RETAINED', 'STORAGE_TARGET_NOT_FOUND', 'REPOSITORY_KEY_WRONG'];

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

/**
 * One app hook on the agent. The hook's own timeout bounds each pod; this bounds the whole hook across
 * pods. Retried only for infrastructure errors (a lost agent): HOOK_FAILED and HOOK_INVALID are final,
 * and a second attempt would run the command again in pods that already ran it.
 */
export const HOOK: ActivityOptions = {
  scheduleToCloseTimeout: '2h',
  startToCloseTimeout: '1h',
  heartbeatTimeout: '1m',
  retry: { initialInterval: '5s', maximumInterval: '30s', maximumAttempts: 2, nonRetryableErrorTypes: [...NON_RETRYABLE_AGENT_FAILURES] },
};

/** Short Kubernetes calls on the agent: scanning the scope, creating and deleting snapshots. */
export const CLUSTER_CALL: ActivityOptions = {
  scheduleToCloseTimeout: '15m',
  startToCloseTimeout: '5m',
  heartbeatTimeout: '2m',
  retry: { initialInterval: '2s', maximumInterval: '30s', maximumAttempts: 5, nonRetryableErrorTypes: [...NON_RETRYABLE_AGENT_FAILURES] },
};

/**
 * The leftover sweep's calls on an agent. The task waits in the cluster's queue while the agent is away
 * (a day at most; the next pass starts another), so the agent sweeps as soon as it is back. Deleting
 * may wait for pods to stop and claims to go, so it heartbeats. An agent too old to know these
 * activities fails them a few times and the sweep ends; nothing else is held up.
 */
export const LEFTOVER_SWEEP: ActivityOptions = {
  scheduleToStartTimeout: '1d',
  startToCloseTimeout: '30m',
  heartbeatTimeout: '2m',
  retry: { initialInterval: '5s', maximumInterval: '1m', maximumAttempts: 3, nonRetryableErrorTypes: [...NON_RETRYABLE_AGENT_FAILURES] },
};

/**
 * Waiting for a snapshot: as long as what is left of the CSI snapshot timeout, plus room for the answer.
 * The activity itself returns TIMED_OUT at the deadline; these bounds only catch a vanished agent.
 */
export function snapshotWait(timeoutMs: number): ActivityOptions {
  return {
    startToCloseTimeout: timeoutMs + 120_000,
    scheduleToCloseTimeout: timeoutMs + 300_000,
    heartbeatTimeout: '1m',
    retry: { initialInterval: '2s', maximumInterval: '30s', maximumAttempts: 3, nonRetryableErrorTypes: [...NON_RETRYABLE_AGENT_FAILURES] },
  };
}

/**
 * Work on a data-mover pod's own queue. The data mover pod timeout is the schedule-to-start bound: the
 * time the pod has to start polling (Temporal does not retry that timeout). Heartbeats carry the copy's
 * checkpoint, so a mover killed mid-copy is noticed within the heartbeat timeout and the retry, on the
 * restarted pod, resumes from it.
 */
export function moverWork(podTimeoutMinutes: number): ActivityOptions {
  return {
    scheduleToStartTimeout: podTimeoutMinutes * 60_000,
    startToCloseTimeout: '24h',
    heartbeatTimeout: '30s',
    retry: {
      initialInterval: '2s',
      maximumInterval: '30s',
      maximumAttempts: 5,
      nonRetryableErrorTypes: [...NON_RETRYABLE_AGENT_FAILURES, 'MOVER_MESSAGE_INVALID', 'RESTORE_INCOMPLETE'],
    },
  };
}

/**
 * Repository work in the control plane (forgetting snapshots, locking a point's data): storage errors are
 * retried a few times.
 */
export const REPOSITORY_MAINTENANCE: ActivityOptions = {
  startToCloseTimeout: '6h',
  heartbeatTimeout: '2m',
  retry: { initialInterval: '5s', maximumInterval: '1m', maximumAttempts: 5, nonRetryableErrorTypes: REPOSITORY_FINAL_FAILURES },
};

/**
 * The activity stops itself at its budget and reports how far it got; this is the time it gets past that
 * to say so. Nothing else is added: retries happen inside the same bound.
 */
const GC_REPORT_ALLOWANCE_MS = 30_000;

/**
 * One target's repository GC within `budgetMs`: its schedule-to-close is the budget (plus the time to
 * report), so retries of a target that times out or fails never multiply what one target may take.
 */
export function repositoryGc(budgetMs: number): ActivityOptions {
  return {
    scheduleToCloseTimeout: budgetMs + GC_REPORT_ALLOWANCE_MS,
    heartbeatTimeout: '2m',
    retry: { initialInterval: '5s', maximumInterval: '1m', nonRetryableErrorTypes: REPOSITORY_FINAL_FAILURES },
  };
}

/** RDS failures a retry cannot fix (lib/aws/rds-errors.ts): a missing database, a refused call, a copy running. */
const RDS_FINAL_FAILURES = ['RDS_NOT_FOUND', 'RDS_ACCESS_DENIED', 'RDS_COPY_IN_PROGRESS', 'RDS_INVALID_STATE', 'RDS_REQUEST_REFUSED', 'RDS_TIMED_OUT', 'CLOUD_ACCOUNT_NOT_FOUND'];

/** One AWS call (start a snapshot, a copy, a restore; delete a snapshot): throttling and network errors are retried. */
export const RDS_CALL: ActivityOptions = {
  startToCloseTimeout: '2m',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 8, nonRetryableErrorTypes: RDS_FINAL_FAILURES },
};

/**
 * Waiting for AWS to finish a snapshot, a copy or a new database. The activity polls and heartbeats,
 * and ends with RDS_TIMED_OUT at its own deadline; these bounds catch a worker that died while waiting
 * (the heartbeat timeout hands the wait to another worker, which resumes polling).
 */
export function rdsWait(timeoutMinutes: number): ActivityOptions {
  return {
    startToCloseTimeout: timeoutMinutes * 60_000 + 120_000,
    scheduleToCloseTimeout: timeoutMinutes * 60_000 + 300_000,
    heartbeatTimeout: '2m',
    retry: { initialInterval: '5s', maximumInterval: '1m', maximumAttempts: 5, nonRetryableErrorTypes: RDS_FINAL_FAILURES },
  };
}

/**
 * Reading a repository to verify it: as long as maintenance may take, but retried once only: a full read
 * that failed twice would fail a third time, and every attempt reads the whole sample again.
 */
export const REPOSITORY_VERIFICATION: ActivityOptions = {
  startToCloseTimeout: '6h',
  heartbeatTimeout: '2m',
  retry: { initialInterval: '10s', maximumInterval: '1m', maximumAttempts: 2, nonRetryableErrorTypes: REPOSITORY_FINAL_FAILURES },
};

/**
 * Judging a drill's copy on the agent: the readiness wait (the drill's own timeout, after which the
 * activity reports what is not ready) plus time to read the resource tree and compare it.
 */
export function drillCheck(readinessTimeoutMinutes: number): ActivityOptions {
  return {
    startToCloseTimeout: `${readinessTimeoutMinutes + 30}m`,
    heartbeatTimeout: '2m',
    retry: { initialInterval: '5s', maximumInterval: '1m', maximumAttempts: 3, nonRetryableErrorTypes: [...NON_RETRYABLE_AGENT_FAILURES] },
  };
}

/**
 * One notification attempt: a webhook request or an SMTP exchange, bounded by its own send timeout. A
 * failed send is not an activity failure (the delivery workflow backs off itself and the attempt is
 * logged); these retries only cover the database or the worker going away mid-attempt.
 */
export const NOTIFICATION: ActivityOptions = {
  startToCloseTimeout: '2m',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 5 },
};
