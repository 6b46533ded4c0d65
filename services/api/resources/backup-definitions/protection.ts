import { policies } from '../../../../lib/db/schema/index.js';
import type { TenantScope } from '../../../../lib/db/tenant-scope.js';
import type { DefinitionRow } from '../definitions/store.js';
import { policyWeakening } from '../policies/weakening.js';

type Policy = typeof policies.$inferSelect;

async function policyOf(scope: TenantScope, policyId: string | null): Promise<Policy | undefined> {
  return policyId ? scope.find(policies, policyId) : undefined;
}

/** A policy with any SafeLock schedule makes the destination matter at save time. */
export async function policyUsesSafeLock(scope: TenantScope, policyId: string | null): Promise<boolean> {
  return (await policyOf(scope, policyId))?.schedules.some((schedule) => schedule.safeLock) ?? false;
}

/**
 * Why moving a backup definition to another policy (or to none, the weakest) protects its future
 * recovery points less, by the policies' own notion of weaker (policies/weakening.ts), or undefined.
 * Without this an operator, who may create policies, could point a definition at a weaker one and do
 * what editing the policy itself would need an admin for.
 */
export async function policyChangeWeakening(scope: TenantScope, stored: DefinitionRow, nextPolicyId: string | null): Promise<string | undefined> {
  if (stored.policyId === nextPolicyId) return undefined;
  const [before, after] = [await policyOf(scope, stored.policyId), await policyOf(scope, nextPolicyId)];
  const why = policyWeakening(before?.schedules ?? [], after?.schedules ?? []);
  const name = (policy: Policy | undefined) => (policy ? `"${policy.name}"` : 'none');
  return why && `backup definition "${stored.name}" would move from policy ${name(before)} to ${name(after)}, and ${why}`;
}

/** Why stopping a backup definition's runs (deleting or pausing it) takes SafeLocked recovery points away, or undefined. */
export async function stopWeakening(scope: TenantScope, stored: DefinitionRow): Promise<string | undefined> {
  const policy = await policyOf(scope, stored.policyId);
  if (!policy?.schedules.some((schedule) => schedule.safeLock)) return undefined;
  return `backup definition "${stored.name}" makes SafeLocked recovery points (policy "${policy.name}")`;
}
