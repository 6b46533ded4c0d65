import { eq, sql } from 'drizzle-orm';
import { cloudAccounts, definitions, policies } from '../../../../lib/db/schema/index.js';
import { subDailyField } from '../../../../lib/common/cron.js';
import { fieldProblem } from '../../../../lib/common/problem.js';
import type { TenantScope } from '../../../../lib/db/tenant-scope.js';
import type { StoredRdsBackupSpec } from '../../../../lib/domain/rds/backup-spec.js';
import { requireReference } from '../references.js';
import { definitionMeta } from '../definitions/kind.js';
import type { DefinitionKindSpec } from '../definitions/kind.js';
import { definitionColumns, type PreparedDefinition } from '../definitions/store.js';
import { startRunIfAsked } from '../definitions/start-run.js';
import { RdsBackupDefinition, RdsBackupDefinitionInput } from './schema.js';

type PolicyRow = typeof policies.$inferSelect;

/**
 * Why a policy cannot schedule copies, or undefined: AWS takes no new snapshot of a database while a
 * copy of one of its snapshots runs, and copies across regions take hours, so an hourly copy schedule
 * would leave the database without snapshots.
 */
export function copyPolicyRefusal(policy: Pick<PolicyRow, 'name' | 'schedules'>): string | undefined {
  for (const schedule of policy.schedules) {
    const field = subDailyField(schedule.cron);
    if (field) {
      return `policy "${policy.name}" has an hourly component (schedule "${schedule.cron}" repeats within a day in its ${field} field): AWS takes no new snapshot while a copy runs, so copy policies must run at most daily`;
    }
  }
  return undefined;
}

/**
 * A policy change that gives a copy policy an hourly component is refused (422), in the change's
 * transaction, naming an RDS definition that copies with it.
 */
export async function checkCopyPolicyUsers(scope: TenantScope, policy: PolicyRow): Promise<void> {
  const refusal = copyPolicyRefusal(policy);
  if (!refusal) return;
  const [user] = await scope.executor
    .select({ name: definitions.name })
    .from(definitions)
    .where(scope.owns(definitions, eq(definitions.kind, 'RDS_BACKUP'), sql`${definitions.spec}->'copy'->>'policyId' = ${policy.id}`))
    .limit(1);
  if (user) throw fieldProblem('body.schedules', `RDS backup definition "${user.name}" copies with this policy, and ${refusal}`);
}

async function prepare(scope: TenantScope, input: RdsBackupDefinitionInput): Promise<PreparedDefinition> {
  const account = await requireReference(scope, cloudAccounts, input.cloudAccountId, 'body.cloudAccountId', 'cloud account');
  if (!account.regions.includes(input.region)) {
    throw fieldProblem('body.region', `cloud account "${account.name}" covers ${account.regions.join(', ')}, not ${input.region}`);
  }
  if (input.policyId) await requireReference(scope, policies, input.policyId, 'body.policyId', 'policy');
  if (input.copy) {
    if (input.copy.region === input.region) throw fieldProblem('body.copy.region', `is the database's own region (${input.region}): a copy goes to another region`);
    const copyPolicy = await requireReference(scope, policies, input.copy.policyId, 'body.copy.policyId', 'policy');
    const refusal = copyPolicyRefusal(copyPolicy);
    if (refusal) throw fieldProblem('body.copy.policyId', refusal);
  }
  const spec: StoredRdsBackupSpec = {
    cloudAccountId: input.cloudAccountId,
    region: input.region,
    databaseType: input.databaseType,
    databaseIdentifier: input.databaseIdentifier,
    snapshotTimeoutMinutes: input.snapshotTimeoutMinutes,
    copy: input.copy ? { region: input.copy.region, policyId: input.copy.policyId, kmsKeyId: input.copy.kmsKeyId, removeSource: input.copy.removeSource } : null,
  };
  return { columns: definitionColumns({ name: input.name, clusterId: null, policyId: input.policyId, spec, tags: input.tags, notifications: input.notifications }), hooks: [] };
}

export const rdsBackupDefinitionKind: DefinitionKindSpec<typeof RdsBackupDefinitionInput, typeof RdsBackupDefinition> = {
  kind: 'RDS_BACKUP',
  path: '/rds-backup-definitions',
  what: 'RDS backup definition',
  tag: 'rds-backup-definitions',
  input: RdsBackupDefinitionInput,
  output: RdsBackupDefinition,
  prepare,
  async afterCreate(scope, row, input, context) {
    if (input.runNow && !row.policyId) throw fieldProblem('body.runNow', 'needs a policy to take the retention from: run it with actions/run and retentionDays instead');
    await startRunIfAsked(scope, context, row, input, { rdsMode: 'SNAPSHOT' });
  },
  toApi(row) {
    const spec = row.spec as unknown as StoredRdsBackupSpec;
    return {
      ...definitionMeta(row),
      cloudAccountId: spec.cloudAccountId,
      region: spec.region,
      databaseType: spec.databaseType,
      databaseIdentifier: spec.databaseIdentifier,
      policyId: row.policyId,
      copy: spec.copy,
      snapshotTimeoutMinutes: spec.snapshotTimeoutMinutes,
    };
  },
};
