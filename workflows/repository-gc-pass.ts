import { isCancellation, log, proxyActivities } from '@temporalio/workflow';
import type { ControlActivities } from '../activities/control/index.js';
import type { ExpiryPassOutcome } from '../lib/domain/runs/recovery-point-deletion.js';
import { REPOSITORY_MAINTENANCE } from './activity-profiles.js';
import { rootCauseMessage } from './failure-message.js';

/**
 * Storage targets collected at once in a pass. Each GC mostly waits on its target's storage, so a few run
 * side by side for little CPU; a slow or hanging target holds one lane (until its maintenance budget runs
 * out), and the other targets, every organization's, go on in the rest.
 */
export const GC_TARGET_CONCURRENCY = 4;

/**
 * Runs the repository GC of every storage target, a few at a time; those where nothing was forgotten
 * (`touched`) only when a tombstone waits. A target that fails or stops at its budget is retried by the
 * next pass; the others are not held up by it.
 */
export async function collectGarbageOfTargets(
  targets: readonly { orgId: string; storageTargetId: string }[],
  touched: ReadonlySet<string>,
): Promise<ExpiryPassOutcome['collected']> {
  const repository = proxyActivities<ControlActivities>(REPOSITORY_MAINTENANCE);
  const collected: ExpiryPassOutcome['collected'] = [];
  let next = 0;
  const lane = async () => {
    while (next < targets.length) {
      const target = targets[next++]!;
      try {
        const report = await repository.collectRepositoryGarbage({ ...target, onlyIfPending: !touched.has(target.storageTargetId) });
        if (report.stoppedAtBudget) log.warn('repository garbage collection stopped at its budget; the next pass goes on', { storageTargetId: target.storageTargetId });
        if (report.ran) collected.push({ storageTargetId: target.storageTargetId, deletedPacks: report.deletedPacks, condemnedPacks: report.condemnedPacks, reclaimedBytes: report.reclaimedBytes });
      } catch (error) {
        if (isCancellation(error)) throw error;
        // One unreachable target must not stop the others; its forgotten snapshots wait for the next pass's GC.
        log.warn('repository garbage collection failed', { storageTargetId: target.storageTargetId, reason: rootCauseMessage(error) });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(GC_TARGET_CONCURRENCY, targets.length) }, lane));
  return collected;
}
