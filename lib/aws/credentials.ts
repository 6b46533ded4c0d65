import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@aws-sdk/types';

/** An account's own keys, as stored encrypted (lib/db/cloud-account-secrets.ts). */
export interface AwsAccessKeys {
  accessKeyId: string;
  secretAccessKey: string;
}

/** How to reach one account: its keys, or a role Haven assumes with its own (ambient) credentials. */
export type AccountAccess = { kind: 'ACCESS_KEYS'; keys: AwsAccessKeys } | { kind: 'ASSUME_ROLE'; roleArn: string; externalId: string };

/** The region STS and IAM are asked in; both are global services for what Haven does. */
export const AWS_HOME_REGION = 'us-east-1';

/** An assumed role's session: long enough for a snapshot wait's heartbeat interval, short enough to expire soon after. */
const ROLE_SESSION_SECONDS = 3600;

/**
 * The external id Haven passes when assuming a tenant's role. Fixed per organization and not chosen by
 * the tenant, so one organization can never make Haven assume a role another organization's trust
 * policy names (the confused-deputy problem).
 */
export function externalIdFor(orgId: string): string {
  return `haven-${orgId}`;
}

/** Credentials for the SDK clients: static keys, or a role session (asked for afresh each time the SDK needs one). */
export function credentialsFor(access: AccountAccess): () => Promise<AwsCredentialIdentity> {
  if (access.kind === 'ACCESS_KEYS') return async () => ({ ...access.keys });
  return async () => {
    const sts = new STSClient({ region: AWS_HOME_REGION });
    try {
      const answer = await sts.send(
        new AssumeRoleCommand({ RoleArn: access.roleArn, ExternalId: access.externalId, RoleSessionName: 'haven', DurationSeconds: ROLE_SESSION_SECONDS }),
      );
      const c = answer.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`assuming ${access.roleArn} gave no credentials`);
      return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, ...(c.Expiration ? { expiration: c.Expiration } : {}) };
    } finally {
      sts.destroy();
    }
  };
}

/** Who the credentials are: the account id and the principal's ARN. */
export async function callerIdentity(access: AccountAccess): Promise<{ accountId: string; arn: string }> {
  const sts = new STSClient({ region: AWS_HOME_REGION, credentials: credentialsFor(access) });
  try {
    const answer = await sts.send(new GetCallerIdentityCommand({}));
    return { accountId: answer.Account ?? '', arn: answer.Arn ?? '' };
  } finally {
    sts.destroy();
  }
}
