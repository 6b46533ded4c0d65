import { and, eq } from 'drizzle-orm';
import { clusters, definitions, policies, storageTargets } from '../db/schema/index.js';
import { fieldProblem } from '../common/problem.js';
import { resolveDestination } from '../domain/destination.js';
import type { ResolvedDestination } from '../domain/destination.js';
import type { TenantScope } from '../db/tenant-scope.js';

/** Reads the three settings and applies the precedence (domain/destination.ts). */
export async function lookUpDestination(
  scope: TenantScope,
  definition: { storageTargetId: string | null; clusterId: string | null },
): Promise<ResolvedDestination | null> {
  const cluster = definition.clusterId ? await scope.find(clusters, definition.clusterId) : undefined;
  const organization = await scope.organization();
  return resolveDestination({
    definition: definition.storageTargetId,
    cluster: cluster?.defaultStorageTargetId,
    organization: organization.defaultStorageTargetId,
  });
}

/**
 * SafeLock is enforced with S3 Object Lock, so a SafeLocked run must write to a target that has it.
 * `field` names what the user should change.
 */
export async function checkSafeLockDestination(scope: TenantScope, destination: ResolvedDestination | null, field: string): Promise<void> {
  const refusal = await safeLockRefusal(scope, destination);
  if (refusal) throw fieldProblem(field, refusal);
}

async function safeLockRefusal(scope: TenantScope, destination: ResolvedDestination | null): Promise<string | undefined> {
  if (!destination) return undefined;
  const target = await scope.find(storageTargets, destination.storageTargetId);
  if (!target || target.objectLockCapable) return undefined;
  return `SafeLock needs an object-lock capable destination; "${target.name}" (from the ${destination.inheritedFrom} setting) is not`;
}

/**
 * SafeLock re-checked where a change moves it: a policy gaining SafeLock, or a default destination
 * changing under backup definitions that inherit it. Runs inside the change's transaction, after the
 * change: a refusal (422 naming `field` and the definition) rolls it back, so no SafeLock schedule is
 * left aimed at a bucket that cannot hold the lock.
 */
export async function checkSafeLockedDefinitions(scope: TenantScope, affected: { policyId?: string; clusterId?: string }, field: string): Promise<void> {
  const rows = await scope.executor
    .select({ id: definitions.id, name: definitions.name, clusterId: definitions.clusterId, storageTargetId: definitions.storageTargetId, schedules: policies.schedules })
    .from(definitions)
    .innerJoin(policies, and(eq(policies.orgId, definitions.orgId), eq(policies.id, definitions.policyId)))
    .where(
      scope.owns(
        definitions,
        eq(definitions.kind, 'BACKUP'),
        affected.policyId ? eq(definitions.policyId, affected.policyId) : undefined,
        affected.clusterId ? eq(definitions.clusterId, affected.clusterId) : undefined,
      ),
    );
  for (const row of rows) {
    if (!row.schedules.some((schedule) => schedule.safeLock)) continue;
    const refusal = await safeLockRefusal(scope, await lookUpDestination(scope, row));
    if (refusal) throw fieldProblem(field, `backup definition "${row.name}" runs SafeLocked: ${refusal}`);
  }
}
