import { condition, defineSignal, getExternalWorkflowHandle, isCancellation, log, ParentClosePolicy, proxyActivities, setHandler, startChild, workflowInfo } from '@temporalio/workflow';
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

type TargetRef = RepositoryGcPassInput['targets'][number];

/**
 * Targets where a later expiry pass forgot snapshots while this GC pass was running: they are collected
 * even without a waiting tombstone (a forgotten snapshot leaves none), in this pass.
 */
export const targetsTouchedSignal = defineSignal<[TargetRef[]]>('targetsTouched');

/** How often one target may be taken up again for being touched after its turn: a pass always ends. */
const LATE_TURNS = 3;

/**
 * One GC pass over every storage target: organizations a few at a time, each in one lane at most, its
 * targets one after another within its budget for the pass (those where nothing was forgotten only when
 * a tombstone waits). A target that fails or stops at its budget is taken up by the next pass; the
 * organization's targets left when its budget is spent wait for the next pass too. A tenant's slow or
 * hostile targets so cost its own lane and its own budget, never another organization's GC. Targets a
 * later expiry pass touched (targetsTouchedSignal) join the queue and are collected in a free lane.
 */
export async function repositoryGcPassWorkflow(input: RepositoryGcPassInput): Promise<RepositoryGcPassOutcome> {
  const touched = new Set(input.touched);
  const outcome: RepositoryGcPassOutcome = { collected: [], deferred: [] };
  /** Organization → its targets waiting for a lane, in the order organizations came. */
  const waiting = new Map<string, Set<string>>();
  const busy = new Set<string>();
  const lateTurns = new Map<string, number>();
  let lanes = 0;

  const enqueue = ({ orgId, storageTargetId }: TargetRef) => waiting.set(orgId, (waiting.get(orgId) ?? new Set()).add(storageTargetId));
  const nextOrganization = () => [...waiting.keys()].find((orgId) => !busy.has(orgId));

  const collectOrganization = async (orgId: string, storageTargetIds: string[]) => {
    // Targets with freshly forgotten snapshots first: a hanging target must not spend their budget before them.
    const targets = storageTargetIds.sort((a, b) => Number(touched.has(b)) - Number(touched.has(a)));
    const started = Date.now();
    for (const storageTargetId of targets) {
      const left = ORGANIZATION_GC_BUDGET_MS - (Date.now() - started);
      if (left <= 0) {
        outcome.deferred.push(storageTargetId);
        continue;
      }
      const budgetMs = Math.min(MAINTENANCE_BUDGET_MS, left);
      const repository = proxyActivities<ControlActivities>(repositoryGc(budgetMs));
      try {
        const report = await repository.collectRepositoryGarbage({ orgId, storageTargetId, onlyIfPending: !touched.has(storageTargetId), budgetMs });
        if (report.stoppedAtBudget) log.warn('repository garbage collection stopped at its budget; the next pass goes on', { storageTargetId });
        if (report.ran) outcome.collected.push({ storageTargetId, deletedPacks: report.deletedPacks, condemnedPacks: report.condemnedPacks, reclaimedBytes: report.reclaimedBytes });
      } catch (error) {
        if (isCancellation(error)) throw error;
        // One unreachable target must not stop the others; its forgotten snapshots wait for the next pass's GC.
        log.warn('repository garbage collection failed', { storageTargetId, reason: rootCauseMessage(error) });
      }
    }
  };

  // Takes its first organization before its first await, so `startLanes` never starts more lanes than organizations wait.
  const lane = async () => {
    lanes++;
    try {
      for (let orgId = nextOrganization(); orgId !== undefined; orgId = nextOrganization()) {
        const targets = [...waiting.get(orgId)!];
        waiting.delete(orgId);
        busy.add(orgId);
        try {
          await collectOrganization(orgId, targets);
        } finally {
          busy.delete(orgId);
        }
      }
    } finally {
      lanes--;
    }
  };
  const startLanes = () => {
    while (lanes < GC_ORGANIZATION_CONCURRENCY && nextOrganization() !== undefined) void lane();
  };

  setHandler(targetsTouchedSignal, (targets) => {
    for (const target of targets) {
      touched.add(target.storageTargetId);
      const turns = lateTurns.get(target.storageTargetId) ?? 0;
      if (turns >= LATE_TURNS || waiting.get(target.orgId)?.has(target.storageTargetId)) continue;
      lateTurns.set(target.storageTargetId, turns + 1);
      enqueue(target);
    }
    startLanes();
  });

  for (const target of input.targets) enqueue(target);
  startLanes();
  // A lane goes on while organizations wait that no other lane holds: once none runs, nothing waits.
  await condition(() => lanes === 0);
  return outcome;
}

/**
 * Starts the GC pass as a child the expiry pass does not wait for (abandoned: it outlives the pass), so
 * deletions never wait on storage maintenance and the next expiry pass starts on time. While one GC pass
 * still runs, none starts beside it.
 */
export async function startRepositoryGcPass(targets: RepositoryGcPassInput['targets'], touched: ReadonlySet<string>): Promise<ExpiryPassOutcome['garbageCollection']> {
  const workflowId = repositoryGcWorkflowId(workflowInfo().taskQueue);
  const touchedTargets = targets.filter((target) => touched.has(target.storageTargetId));
  for (let attempt = 0; ; attempt++) {
    try {
      await startChild(repositoryGcPassWorkflow, {
        workflowId,
        args: [{ targets, touched: [...touched] }],
        typedSearchAttributes: [{ key: KIND_ATTRIBUTE, value: 'REPOSITORY_GC' }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
      return { workflowId, status: 'STARTED' };
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    }
    if (touchedTargets.length === 0) return { workflowId, status: 'ALREADY_RUNNING' };
    try {
      // What this pass forgot is collected by the running GC pass: the next pass's would skip it without a tombstone.
      await getExternalWorkflowHandle(workflowId).signal(targetsTouchedSignal, touchedTargets);
      return { workflowId, status: 'ALREADY_RUNNING' };
    } catch (error) {
      // It ended between the start and the signal: start a new one.
      if (isCancellation(error) || attempt > 0) throw error;
    }
  }
}
