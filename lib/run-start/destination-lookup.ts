import { clusters, storageTargets } from '../db/schema/index.js';
import { fieldProblem } from '../common/problem.js';
import { resolveDestination } from '../domain/destination.js';
import type { ResolvedDestination } from '../domain/destination.js';
import type { TenantScope } from '../db/tenant-scope.js';

/** Reads the three settings and applies the precedence (domain/destination.ts). */
export async function lookUpDestination(
  scope: TenantScope,
  definition: { storageTargetId: string | null; clusterId: string },
): Promise<ResolvedDestination | null> {
  const cluster = await scope.find(clusters, definition.clusterId);
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
  if (!destination) return;
  const target = await scope.find(storageTargets, destination.storageTargetId);
  if (target && !target.objectLockCapable) {
    throw fieldProblem(
      field,
      `SafeLock needs an object-lock capable destination; "${target.name}" (from the ${destination.inheritedFrom} setting) is not`,
    );
  }
}
