import { ApplicationFailure, ChildWorkflowFailure, condition, isCancellation, ParentClosePolicy, proxyActivities, startChild } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { DuePoint } from '../activities/control/recovery-point-expiry.js';
import type { ControlActivities } from '../activities/control/index.js';
import { KIND_ATTRIBUTE } from '../lib/common/temporal/names.js';
import { CONTROL } from './activity-profiles.js';
import { rootCauseMessage } from './failure-message.js';
import { deleteRecoveryPointWorkflow, type DeletionFailureDetails } from './recovery-point-delete.js';
import { startRepositoryGcPass } from './repository-gc-pass.js';
import {
  DEFAULT_EXPIRY_BATCH,
  DEFAULT_EXPIRY_CONCURRENCY,
  DEFAULT_EXPIRY_DELETION_WAIT_MS,
  recoveryPointDeletionWorkflowId,
  type RecoveryPointDeletionOutcome,
  type ExpiryPassInput,
  type ExpiryPassOutcome,
} from '../lib/domain/runs/recovery-point-deletion.js';

/**
 * One expiry pass, started by the installation's expiry Schedule every few minutes. Steps: find the due
 * points (every organization, taken in turn; SafeLocked ones and those backing off from a failed
 * deletion are not due) → delete each as its own child workflow, a few at a time, each recording its
 * job → start the repository GC pass of every storage target as a workflow of its own, not waited for
 * (workflows/repository-gc-pass.ts): one organization's slow storage never holds up anyone's expiry. A point that could not be deleted backs off (its deletion
 * recorded when it may be retried), so it neither repeats every pass nor holds the batch.
 */
export async function recoveryPointExpiryWorkflow(input: ExpiryPassInput = {}): Promise<ExpiryPassOutcome> {
  const control = proxyActivities<ControlActivities>(CONTROL);
  const plan = await control.planExpiryPass({ batch: input.batch ?? DEFAULT_EXPIRY_BATCH });
  const outcome: Omit<ExpiryPassOutcome, 'garbageCollection'> = { now: plan.now, deleted: [], failed: [], stillRunning: [] };
  const touched = new Set<string>();
  const deleteOne = async (point: DuePoint) => {
    let child;
    try {
      child = await startChild(deleteRecoveryPointWorkflow, {
        workflowId: recoveryPointDeletionWorkflowId(point.orgId, point.recoveryPointId),
        args: [{ orgId: point.orgId, recoveryPointId: point.recoveryPointId, scope: point.scope, cause: point.cause }],
        typedSearchAttributes: [{ key: KIND_ATTRIBUTE, value: 'RECOVERY_POINT_DELETE' }],
        // A deletion outlives a pass that is terminated, or stops waiting for it: its job must still end.
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
    } catch (error) {
      if (isCancellation(error)) throw error;
      // Already being deleted (a user's DELETE, or a slow deletion of an earlier pass): that run records its own job.
      if (error instanceof WorkflowExecutionAlreadyStartedError) return;
      outcome.failed.push({ recoveryPointId: point.recoveryPointId, reason: rootCauseMessage(error) });
      return;
    }
    let ended: { result: RecoveryPointDeletionOutcome } | { error: unknown } | undefined;
    child.result().then(
      (result) => (ended = { result }),
      (error: unknown) => (ended = { error }),
    );
    // Bounded, so one slow cluster frees its lane for the other points instead of holding the whole pass.
    if (!(await condition(() => ended !== undefined, input.deletionWaitMs ?? DEFAULT_EXPIRY_DELETION_WAIT_MS))) {
      outcome.stillRunning.push(point.recoveryPointId);
      return;
    }
    if ('error' in ended!) {
      if (isCancellation(ended.error)) throw ended.error;
      outcome.failed.push({ recoveryPointId: point.recoveryPointId, reason: rootCauseMessage(ended.error), ...retryAtOf(ended.error) });
      return;
    }
    const { result } = ended!;
    if (result.status === 'DELETED') {
      outcome.deleted.push(point.recoveryPointId);
      if (result.repositorySnapshotsForgotten > 0 && point.storageTargetId) touched.add(point.storageTargetId);
    } else if (result.status === 'LOCKED') {
      outcome.failed.push({ recoveryPointId: point.recoveryPointId, reason: result.reason });
    }
  };
  let next = 0;
  const lane = async () => {
    while (next < plan.due.length) await deleteOne(plan.due[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(input.concurrency ?? DEFAULT_EXPIRY_CONCURRENCY, plan.due.length) }, lane));

  return { ...outcome, garbageCollection: await startRepositoryGcPass(plan.storageTargets, touched) };
}

/** When the failed deletion will be retried, as the deletion workflow reported it. */
function retryAtOf(error: unknown): { retryAt?: string } {
  const cause = error instanceof ChildWorkflowFailure ? error.cause : undefined;
  const details = cause instanceof ApplicationFailure ? (cause.details?.[0] as DeletionFailureDetails | undefined) : undefined;
  return details?.retryAt ? { retryAt: details.retryAt } : {};
}
