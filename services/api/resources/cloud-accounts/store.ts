import { randomUUID } from 'node:crypto';
import { cloudAccounts, type CloudAccountRow } from '../../../../lib/db/schema/index.js';
import { encryptCloudAccountKeys } from '../../../../lib/db/cloud-account-secrets.js';
import { externalIdFor, type AccountAccess } from '../../../../lib/aws/credentials.js';
import { rdsErrorOf } from '../../../../lib/aws/rds-errors.js';
import type { SecretKeyring } from '../../../../lib/common/secrets.js';
import { fieldProblem } from '../../../../lib/common/problem.js';
import type { TenantScope } from '../../../../lib/db/tenant-scope.js';
import type { CloudAccountChecker } from '../../seams/cloud-account-check.js';
import type { CloudAccount, CloudAccountCreate } from './schema.js';

/**
 * Checks the account as given, then stores it. Credentials AWS refuses, or policies lacking any of
 * Haven's permissions, are a 422 naming the field and every missing permission: an account is never
 * saved that would fail its first run.
 */
export async function createCloudAccount(scope: TenantScope, keyring: SecretKeyring, check: CloudAccountChecker, input: CloudAccountCreate): Promise<CloudAccountRow> {
  const id = randomUUID();
  const access: AccountAccess =
    input.auth.kind === 'ACCESS_KEYS'
      ? { kind: 'ACCESS_KEYS', keys: { accessKeyId: input.auth.accessKeyId, secretAccessKey: input.auth.secretAccessKey } }
      : { kind: 'ASSUME_ROLE', roleArn: input.auth.roleArn, externalId: externalIdFor(scope.orgId) };
  let checked;
  try {
    checked = await check(access);
  } catch (error) {
    const reason = rdsErrorOf(error, input.auth.kind === 'ACCESS_KEYS' ? 'AWS refused the access keys' : `AWS refused to let Haven assume the role with external id ${externalIdFor(scope.orgId)}`);
    throw fieldProblem('body.auth', reason.message);
  }
  if (checked.missing.length > 0) {
    throw fieldProblem('body.auth', `${checked.arn} lacks permissions Haven needs: ${checked.missing.join(', ')}`);
  }
  return scope.insert(cloudAccounts, {
    id,
    name: input.name,
    authKind: input.auth.kind,
    roleArn: input.auth.kind === 'ASSUME_ROLE' ? input.auth.roleArn : null,
    credentialsCiphertext:
      input.auth.kind === 'ACCESS_KEYS' ? encryptCloudAccountKeys(keyring, scope.orgId, id, { accessKeyId: input.auth.accessKeyId, secretAccessKey: input.auth.secretAccessKey }) : null,
    awsAccountId: checked.accountId,
    regions: input.regions,
  });
}

export function toApi(row: CloudAccountRow): CloudAccount {
  return {
    id: row.id,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    name: row.name,
    authKind: row.authKind,
    roleArn: row.roleArn,
    externalId: externalIdFor(row.orgId),
    hasCredentials: row.credentialsCiphertext !== null,
    awsAccountId: row.awsAccountId,
    regions: row.regions,
    lastInventoryAt: row.lastInventoryAt?.toISOString() ?? null,
    lastInventoryError: row.lastInventoryError,
  };
}
