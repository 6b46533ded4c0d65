import { eq, or, sql } from 'drizzle-orm';
import type { SQL } from 'drizzle-orm';
import { clusters, definitions, hookBindings, recoveryPoints } from '../../../lib/db/schema/index.js';
import { Problem } from '../../../lib/common/problem.js';
import type { ProblemReference } from '../../../lib/common/problem.js';
import type { TenantScope, TenantTable } from '../../../lib/db/tenant-scope.js';

/**
 * Referential rules in one place: a request may only point at records of its own organization
 * (422 naming the field otherwise), and a record cannot be deleted while something points at it
 * (409 listing what). The database enforces both too; these checks make the answers precise.
 */

const DEFINITION_KIND_NAMES = { BACKUP: 'backup-definition', REPLICATION: 'replication-definition', RESTORE: 'restore', RDS_BACKUP: 'rds-backup-definition', DRILL: 'restore-drill' } as const;

/** The referenced record; 422 naming `field` unless `id` names a record of this organization in `table`. */
export async function requireReference<T extends TenantTable>(
  scope: TenantScope,
  table: T,
  id: string,
  field: string,
  what: string,
): Promise<T['$inferSelect']> {
  const row = await scope.find(table, id);
  if (!row) {
    throw new Problem('invalid-reference', `${field}: no ${what} ${id} in this organization`, {
      errors: [{ field, reason: `no ${what} with this id in this organization` }],
    });
  }
  return row;
}

async function definitionsWhere(scope: TenantScope, condition: SQL): Promise<ProblemReference[]> {
  const rows = await scope.executor
    .select({ id: definitions.id, name: definitions.name, kind: definitions.kind })
    .from(definitions)
    .where(scope.owns(definitions, condition))
    .orderBy(definitions.name);
  return rows.map((row) => ({ kind: DEFINITION_KIND_NAMES[row.kind], id: row.id, name: row.name }));
}

export function referencesToCluster(scope: TenantScope, clusterId: string): Promise<ProblemReference[]> {
  return definitionsWhere(scope, or(eq(definitions.clusterId, clusterId), eq(definitions.destinationClusterId, clusterId)) as SQL);
}

/** The definitions whose schedules come from the policy: as their own policy, or as an RDS copy policy. */
export function definitionsUsingPolicy(policyId: string) {
  return or(eq(definitions.policyId, policyId), sql`${definitions.spec}->'copy'->>'policyId' = ${policyId}`);
}

/** As a definition's policy, or as an RDS definition's copy policy. */
export function referencesToPolicy(scope: TenantScope, policyId: string): Promise<ProblemReference[]> {
  return definitionsWhere(scope, definitionsUsingPolicy(policyId) as SQL);
}

/** RDS definitions of the account, and its recovery points (their snapshots are deleted through it when they expire). */
export async function referencesToCloudAccount(scope: TenantScope, cloudAccountId: string): Promise<ProblemReference[]> {
  const fromRecoveryPoints = await scope.executor
    .select({ id: recoveryPoints.id, name: recoveryPoints.definitionName })
    .from(recoveryPoints)
    .where(scope.owns(recoveryPoints, sql`${recoveryPoints.rds}->>'cloudAccountId' = ${cloudAccountId}`))
    .limit(20);
  return [
    ...(await definitionsWhere(scope, sql`${definitions.spec}->>'cloudAccountId' = ${cloudAccountId}`)),
    ...fromRecoveryPoints.map((rp) => ({ kind: 'recovery-point', ...rp })),
  ];
}

export async function referencesToHook(scope: TenantScope, hookId: string): Promise<ProblemReference[]> {
  const rows = await scope.executor
    .selectDistinct({ id: definitions.id, name: definitions.name, kind: definitions.kind })
    .from(hookBindings)
    .innerJoin(definitions, eq(definitions.id, hookBindings.definitionId))
    .where(scope.owns(hookBindings, eq(hookBindings.hookId, hookId)))
    .orderBy(definitions.name);
  return rows.map((row) => ({ kind: DEFINITION_KIND_NAMES[row.kind], id: row.id, name: row.name }));
}

export async function referencesToStorageTarget(scope: TenantScope, storageTargetId: string): Promise<ProblemReference[]> {
  const organization = await scope.organization();
  const fromOrganization: ProblemReference[] =
    organization.defaultStorageTargetId === storageTargetId
      ? [{ kind: 'organization-preferences', id: organization.id, name: organization.name }]
      : [];
  const fromClusters = await scope.executor
    .select({ id: clusters.id, name: clusters.name })
    .from(clusters)
    .where(scope.owns(clusters, eq(clusters.defaultStorageTargetId, storageTargetId)));
  const fromRecoveryPoints = await scope.executor
    .select({ id: recoveryPoints.id, name: recoveryPoints.definitionName })
    .from(recoveryPoints)
    .where(scope.owns(recoveryPoints, eq(recoveryPoints.storageTargetId, storageTargetId)))
    .limit(20);
  return [
    ...fromOrganization,
    ...fromClusters.map((c) => ({ kind: 'cluster', ...c })),
    ...(await definitionsWhere(scope, eq(definitions.storageTargetId, storageTargetId))),
    ...fromRecoveryPoints.map((rp) => ({ kind: 'recovery-point', ...rp })),
  ];
}

/** 409 listing the references, if any. */
export function refuseWhileReferenced(what: string, references: ProblemReference[]): void {
  if (references.length === 0) return;
  const names = references.map((r) => `${r.kind} "${r.name}"`).join(', ');
  throw new Problem('still-referenced', `${what} is still used by ${names}; change or delete those first`, { references });
}
