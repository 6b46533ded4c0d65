import { ApplicationFailure } from '@temporalio/activity';
import { and, eq } from 'drizzle-orm';
import { externalIdFor, type AccountAccess } from '../../lib/aws/credentials.js';
import { RdsError } from '../../lib/aws/rds-errors.js';
import { readCloudAccountKeys } from '../../lib/db/cloud-account-secrets.js';
import { cloudAccounts } from '../../lib/db/schema/index.js';
import type { ControlDeps } from './deps.js';

/**
 * How an activity reaches a cloud account, read from its row when the activity runs: the keys are
 * decrypted here and never enter a workflow's input or history.
 */
export async function accountAccess(deps: ControlDeps, orgId: string, cloudAccountId: string): Promise<AccountAccess> {
  const [row] = await deps.db.select().from(cloudAccounts).where(and(eq(cloudAccounts.orgId, orgId), eq(cloudAccounts.id, cloudAccountId)));
  if (!row) throw ApplicationFailure.nonRetryable(`cloud account ${cloudAccountId} no longer exists`, 'CLOUD_ACCOUNT_NOT_FOUND');
  if (row.authKind === 'ASSUME_ROLE') return { kind: 'ASSUME_ROLE', roleArn: row.roleArn ?? '', externalId: externalIdFor(orgId) };
  const keys = readCloudAccountKeys(deps.keyring, row);
  if (!keys) throw ApplicationFailure.nonRetryable(`cloud account ${row.name} has no access keys`, 'CLOUD_ACCOUNT_NOT_FOUND');
  return { kind: 'ACCESS_KEYS', keys };
}

/** Haven's RDS error as the Temporal failure type the profiles name (activity-profiles.ts). */
export function asFailure(error: unknown): unknown {
  if (!(error instanceof RdsError)) return error;
  return ApplicationFailure.create({ message: error.message, type: error.code, nonRetryable: error.code !== 'RDS_UNAVAILABLE' });
}

/** Runs an activity's AWS work, raising Haven's RDS errors as typed failures. */
export async function rdsStep<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw asFailure(error);
  }
}
