import { definitions, policies } from '../../../../lib/db/schema/index.js';
import { Problem } from '../../../../lib/common/problem.js';
import type { StoredRdsBackupSpec } from '../../../../lib/domain/rds/backup-spec.js';
import { DEFAULT_TIME_ZONE } from '../policies/schema.js';
import type { DesiredSchedules } from '../../seams/definition-schedules.js';
import type { WorkflowLauncher } from '../../seams/workflow-launcher.js';
import type { TenantScope } from '../../../../lib/db/tenant-scope.js';
import type { DefinitionRow } from './store.js';
import { definitionsUsingPolicy } from '../references.js';

type PolicyRow = typeof policies.$inferSelect;

/**
 * The schedules a definition should have: its policy's, paused with it; none for restores. An RDS
 * definition with a copy region also gets its copy policy's schedules, after its own, each firing a
 * snapshot and its copy (the copy policy's retention applies to the copy). Both policies share the
 * definition's time zone (its own policy's).
 */
export function desiredSchedules(row: DefinitionRow, policy: PolicyRow | undefined, copyPolicy?: PolicyRow): DesiredSchedules | undefined {
  if (row.kind === 'RESTORE') return undefined;
  const copies = (copyPolicy?.schedules ?? []).map((entry) => ({ ...entry, safeLock: false, rdsMode: 'SNAPSHOT_AND_COPY' as const }));
  return {
    orgId: row.orgId,
    definitionId: row.id,
    kind: row.kind,
    clusterId: row.clusterId,
    timeZone: policy?.timeZone ?? copyPolicy?.timeZone ?? DEFAULT_TIME_ZONE,
    entries: [...(policy?.schedules ?? []).map((entry) => (row.kind === 'RDS_BACKUP' ? { ...entry, safeLock: false, rdsMode: 'SNAPSHOT' as const } : entry)), ...copies],
    paused: row.paused,
  };
}

function copyPolicyId(row: DefinitionRow): string | undefined {
  return row.kind === 'RDS_BACKUP' ? ((row.spec as unknown as StoredRdsBackupSpec).copy?.policyId ?? undefined) : undefined;
}

/**
 * Brings the engine's schedules in line with a definition just written (or, with `deleted`, removed).
 * Called inside the write's transaction: if Temporal refuses, the write is rolled back too.
 */
export async function syncDefinitionSchedules(scope: TenantScope, launcher: WorkflowLauncher, row: DefinitionRow, deleted = false): Promise<void> {
  const policy = !deleted && row.policyId ? await scope.find(policies, row.policyId) : undefined;
  const copyId = deleted ? undefined : copyPolicyId(row);
  const copyPolicy = copyId ? await scope.find(policies, copyId) : undefined;
  const desired = desiredSchedules(row, policy, copyPolicy);
  if (desired) await sync(launcher, desired, row.name);
}

/** An engine failure becomes a 503 naming the definition; the caller's transaction then rolls back. */
async function sync(launcher: WorkflowLauncher, desired: DesiredSchedules, name: string): Promise<void> {
  try {
    await launcher.syncSchedules(desired);
  } catch (error) {
    if (error instanceof Problem) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new Problem('engine-unavailable', `the schedules of "${name}" could not be saved in Temporal (${reason}); nothing was changed, retry when Temporal answers`);
  }
}

/** A policy change reaches every definition using it: their schedules carry its crons and retention. */
export async function syncPolicySchedules(scope: TenantScope, launcher: WorkflowLauncher, policy: PolicyRow): Promise<void> {
  const users = await scope.executor.select().from(definitions).where(scope.owns(definitions, definitionsUsingPolicy(policy.id)));
  for (const row of users) {
    const other = (id: string | null | undefined) => (id === policy.id ? policy : id ? scope.find(policies, id) : undefined);
    const desired = desiredSchedules(row, await other(row.policyId), await other(copyPolicyId(row)));
    if (desired) await sync(launcher, desired, row.name);
  }
}
