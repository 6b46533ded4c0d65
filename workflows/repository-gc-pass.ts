import { isCancellation, log, ParentClosePolicy, proxyActivities, startChild, workflowInfo } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { ControlActivities } from '../activities/control/index.js';
import { KIND_ATTRIBUTE } from '../lib/common/temporal/names.js';
import type { ExpiryPassOutcome } from '../lib/domain/runs/recovery-point-deletion.js';
import {
  GC_ORGANIZATION_CONCURRENCY,
  MAINTENANCE_BUDGET_MS,
  ORGANIZATION_GC_BUDGET_MS,
  repositoryGcWorkflowId,
  type RepositoryGcPassInput,
  type RepositoryGcPassOutcome,
} from '../lib/domain/runs/repository-gc.js';
import { repositoryGc } from './activity-profiles.js';
import { rootCauseMessage } from './failure-message.js';

/**
 * One GC pass over every storage target: organizations a few at a time, each in one lane of its own,
 * its targets one after another within its budget for the pass (those where nothing was forgotten only
 * when a tombstone waits). A target that fails or stops at its budget is taken up by the next pass; the
 * organization's targets left when its budget is spent wait for the next pass too. A tenant's slow or
 * hostile targets so cost its own lane and its own budget, never another organization's GC.
 */
export async function repositoryGcPassWorkflow(input: RepositoryGcPassInput): Promise<RepositoryGcPassOutcome> {
  const touched = new Set(input.touched);
  const targetsOf = new Map<string, string[]>();
  for (const { orgId, storageTargetId } of input.targets) targetsOf.set(orgId, [...(targetsOf.get(orgId) ?? []), storageTargetId]);
  const outcome: RepositoryGcPassOutcome = { collected: [], deferred: [] };

  const collectOrganization = async (orgId: string) => {
    // Targets with freshly forgotten snapshots first: a hanging target must not spend their budget before them.
    const targets = targetsOf.get(orgId)!.sort((a, b) => Number(touched.has(b)) - Number(touched.has(a)));
    const started = Date.now();
    for (const storageTargetId of targets) {
      const left = ORGANIZATION_GC_BUDGET_MS - (Date.now() - started);
      if (left <= 0) {
        outcome.deferred.push(storageTargetId);
        continue;
      }
      const repository = proxyActivities<ControlActivities>(repositoryGc(Math.min(MAINTENANCE_BUDGET_MS, left)));
      try {
        const report = await repository.collectRepositoryGarbage({ orgId, storageTargetId, onlyIfPending: !touched.has(storageTargetId), budgetMs: Math.min(MAINTENANCE_BUDGET_MS, left) });
        if (report.stoppedAtBudget) log.warn('repository garbage collection stopped at its budget; the next pass goes on', { storageTargetId });
        if (report.ran) outcome.collected.push({ storageTargetId, deletedPacks: report.deletedPacks, condemnedPacks: report.condemnedPacks, reclaimedBytes: report.reclaimedBytes });
      } catch (error) {
        if (isCancellation(error)) throw error;
        // One unreachable target must not stop the others; its forgotten snapshots wait for the next pass's GC.
        log.warn('repository garbage collection failed', { storageTargetId, reason: rootCauseMessage(error) });
      }
    }
  };

  const organizations = [...targetsOf.keys()];
  let next = 0;
  const lane = async () => {
    while (next < organizations.length) await collectOrganization(organizations[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(GC_ORGANIZATION_CONCURRENCY, organizations.length) }, lane));
  return outcome;
}

/**
 * Starts the GC pass as a child the expiry pass does not wait for (abandoned: it outlives the pass), so
 * deletions never wait on storage maintenance and the next expiry pass starts on time. While one GC pass
 * still runs, none starts beside it.
 */
export async function startRepositoryGcPass(targets: RepositoryGcPassInput['targets'], touched: ReadonlySet<string>): Promise<ExpiryPassOutcome['garbageCollection']> {
  const workflowId = repositoryGcWorkflowId(workflowInfo().taskQueue);
  try {
    await startChild(repositoryGcPassWorkflow, {
      workflowId,
      args: [{ targets, touched: [...touched] }],
      typedSearchAttributes: [{ key: KIND_ATTRIBUTE, value: 'REPOSITORY_GC' }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
    });
    return { workflowId, status: 'STARTED' };
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return { workflowId, status: 'ALREADY_RUNNING' };
    throw error;
  }
}
