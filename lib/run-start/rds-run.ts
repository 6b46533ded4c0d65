import { cloudAccounts, policies } from '../db/schema/index.js';
import type { DefinitionRow } from '../db/schema/definitions.js';
import type { TenantScope } from '../db/tenant-scope.js';
import type { RdsRunMode } from '../common/enums.js';
import { fieldProblem, Problem } from '../common/problem.js';
import type { RdsBackupRunInput, StoredRdsBackupSpec } from '../domain/rds/backup-spec.js';

/** What a run of an RDS definition is asked to do. */
export interface RdsRunOptions {
  mode?: RdsRunMode | undefined;
  /** Ad-hoc retention: of the snapshot, and of the copy unless the copy policy gives one. */
  retentionDays?: number | undefined;
  /** A scheduled run: the retention of the schedule that fired (the copy policy's for SNAPSHOT_AND_COPY runs). */
  retention?: { days: number } | undefined;
}

async function firstRetention(scope: TenantScope, policyId: string | null | undefined): Promise<number | undefined> {
  const policy = policyId ? await scope.find(policies, policyId) : undefined;
  return policy?.schedules[0]?.retentionDays;
}

/**
 * Resolves an RDS definition into one run: the mode (a copy only where the definition has a copy
 * region), the snapshot's retention (the schedule's, the request's, or the policy's first) and the
 * copy's (its copy policy's). A Problem names what is missing. SafeLock never applies: AWS holds the
 * snapshots, and Haven cannot lock them.
 */
export async function resolveRdsRun(scope: TenantScope, row: DefinitionRow, options: RdsRunOptions): Promise<Omit<RdsBackupRunInput, 'jobId'>> {
  const spec = row.spec as unknown as StoredRdsBackupSpec;
  const mode = options.mode ?? 'SNAPSHOT';
  if (mode !== 'SNAPSHOT' && !spec.copy) throw fieldProblem('body.mode', `${mode} needs a copy region: the definition has none`);
  if (!(await scope.find(cloudAccounts, spec.cloudAccountId))) throw new Problem('conflict', `the cloud account of "${row.name}" no longer exists`);
  const scheduledCopy = mode === 'SNAPSHOT_AND_COPY' && options.retention !== undefined;
  const snapshotDays = scheduledCopy
    ? ((await firstRetention(scope, row.policyId)) ?? options.retention!.days)
    : (options.retention?.days ?? options.retentionDays ?? (await firstRetention(scope, row.policyId)));
  if (snapshotDays === undefined) throw fieldProblem('body.retentionDays', 'is required: the definition has no policy to take a retention from');
  let copy: RdsBackupRunInput['copy'] = null;
  if (spec.copy && mode !== 'SNAPSHOT') {
    const copyDays = scheduledCopy ? options.retention!.days : (options.retentionDays ?? (await firstRetention(scope, spec.copy.policyId)));
    if (copyDays === undefined) throw fieldProblem('body.retentionDays', 'is required: the copy policy no longer exists');
    copy = { region: spec.copy.region, kmsKeyId: spec.copy.kmsKeyId, removeSource: spec.copy.removeSource, retentionDays: copyDays };
  }
  return {
    orgId: scope.orgId,
    definitionId: row.id,
    definitionName: row.name,
    cloudAccountId: spec.cloudAccountId,
    region: spec.region,
    databaseType: spec.databaseType,
    databaseIdentifier: spec.databaseIdentifier,
    mode,
    snapshotTimeoutMinutes: spec.snapshotTimeoutMinutes,
    retentionDays: snapshotDays,
    copy,
  };
}
