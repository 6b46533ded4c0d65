import { isCancellation, ParentClosePolicy, proxyActivities, startChild } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { DuePoint } from '../activities/control/recovery-point-expiry.js';
import type { ControlActivities } from '../activities/control/index.js';
import { KIND_ATTRIBUTE } from '../lib/common/temporal/names.js';
import { CONTROL } from './activity-profiles.js';
import { rootCauseMessage } from './failure-message.js';
import { deleteRecoveryPointWorkflow } from './recovery-point-delete.js';
import { collectGarbageOfTargets } from './repository-gc-pass.js';
import {
  DEFAULT_EXPIRY_BATCH,
  DEFAULT_EXPIRY_CONCURRENCY,
  recoveryPointDeletionWorkflowId,
  type ExpiryPassInput,
  type ExpiryPassOutcome,
} from '../lib/domain/runs/recovery-point-deletion.js';

/**
 * One expiry pass, started by the installation's expiry Schedule every few minutes. Steps: find the due
 * points (every organization; SafeLocked ones are not due) → delete each as its own child workflow, a
 * few at a time, each recording its job → run the repository GC of every storage target (those where
 * nothing was forgotten only when a tombstone waits for its second phase). A point that could not be
 * deleted stays due, so the next pass retries it.
 */
export async function recoveryPointExpiryWorkflow(input: ExpiryPassInput = {}): Promise<ExpiryPassOutcome> {
  const control = proxyActivities<ControlActivities>(CONTROL);
  const plan = await control.planExpiryPass({ batch: input.batch ?? DEFAULT_EXPIRY_BATCH });
  const outcome: ExpiryPassOutcome = { now: plan.now, deleted: [], failed: [], collected: [] };
  const touched = new Set<string>();
  const deleteOne = async (point: DuePoint) => {
    try {
      const child = await startChild(deleteRecoveryPointWorkflow, {
        workflowId: recoveryPointDeletionWorkflowId(point.orgId, point.recoveryPointId),
        args: [{ orgId: point.orgId, recoveryPointId: point.recoveryPointId, scope: point.scope, cause: point.cause }],
        typedSearchAttributes: [{ key: KIND_ATTRIBUTE, value: 'RECOVERY_POINT_DELETE' }],
        // A deletion outlives a pass that is terminated: its job must still end.
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
      const result = await child.result();
      if (result.status === 'DELETED') {
        outcome.deleted.push(point.recoveryPointId);
        if (result.repositorySnapshotsForgotten > 0) touched.add(point.storageTargetId);
      } else if (result.status === 'LOCKED') {
        outcome.failed.push({ recoveryPointId: point.recoveryPointId, reason: result.reason });
      }
    } catch (error) {
      if (isCancellation(error)) throw error;
      // Already being deleted (a user's DELETE): that run records its own job.
      if (error instanceof WorkflowExecutionAlreadyStartedError) return;
      outcome.failed.push({ recoveryPointId: point.recoveryPointId, reason: rootCauseMessage(error) });
    }
  };
  let next = 0;
  const lane = async () => {
    while (next < plan.due.length) await deleteOne(plan.due[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(input.concurrency ?? DEFAULT_EXPIRY_CONCURRENCY, plan.due.length) }, lane));

  outcome.collected = await collectGarbageOfTargets(plan.storageTargets, touched);
  return outcome;
}
