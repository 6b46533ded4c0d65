/**
 * Repository garbage collection of every storage target, as its own workflow: an expiry pass starts it
 * and does not wait for it, so deletions never wait on GC, and a GC pass still running when the next
 * expiry pass comes is left to finish (no second one starts beside it).
 */

/**
 * How long one storage target's GC may run in one pass. The control worker serves every tenant, and a
 * target that is slow, huge or hostile must give its slot back: what GC did by then stays done (deleted
 * packs, written tombstones), and the next pass starts again from the tombstones still waiting. Half an
 * hour covers a GC of tens of thousands of snapshots on a healthy endpoint.
 */
export const MAINTENANCE_BUDGET_MS = 30 * 60_000;

/**
 * How long all of one organization's targets may take together in one GC pass: a tenant that creates
 * many slow targets spends its own budget, never another organization's time. Past it, its remaining
 * targets wait for the next pass.
 */
export const ORGANIZATION_GC_BUDGET_MS = 2 * MAINTENANCE_BUDGET_MS;

/**
 * Organizations collected at once, each in a lane of its own (its targets one after another). Each GC
 * mostly waits on its storage, so a few lanes cost little CPU; an organization never holds two.
 */
export const GC_ORGANIZATION_CONCURRENCY = 4;

/** One GC pass per installation at a time: the id is the installation's control queue's. */
export function repositoryGcWorkflowId(controlTaskQueue: string): string {
  return `repository-gc-${controlTaskQueue}`;
}

export interface RepositoryGcPassInput {
  targets: { orgId: string; storageTargetId: string }[];
  /** Targets where the expiry pass forgot snapshots: collected even without a waiting tombstone. */
  touched: string[];
}

export interface RepositoryGcPassOutcome {
  /** Storage targets whose repository GC ran, with what it reclaimed. */
  collected: { storageTargetId: string; deletedPacks: number; condemnedPacks: number; reclaimedBytes: number }[];
  /** Targets left for the next pass because their organization's budget for this one was spent. */
  deferred: string[];
}
