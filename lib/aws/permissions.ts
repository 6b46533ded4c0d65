import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRolePolicyCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupsForUserCommand,
  ListAttachedGroupPoliciesCommand,
  ListRolePoliciesCommand,
  ListUserPoliciesCommand,
} from '@aws-sdk/client-iam';
import { AWS_HOME_REGION, callerIdentity, credentialsFor, type AccountAccess } from './credentials.js';
import { RdsError } from './rds-errors.js';

/**
 * What Haven needs in an account to protect its RDS databases: the core functions and the RDS
 * backup/restore list of the product's documentation. Nothing for EKS, EBS or security scanning, which
 * Haven does not do through cloud accounts.
 */
export const REQUIRED_PERMISSIONS = [
  'iam:ListAccountAliases',
  'ec2:DescribeRegions',
  'ec2:DescribeSecurityGroups',
  'kms:CreateGrant',
  'kms:DescribeKey',
  'rds:CreateDBInstance',
  'rds:DescribeDBClusters',
  'rds:DescribeDBInstances',
  'rds:ModifyDBInstance',
  'rds:CreateDBSnapshot',
  'rds:DescribeDBSnapshots',
  'rds:DeleteDBSnapshot',
  'rds:DescribeDBSubnetGroups',
  'rds:CreateDBClusterSnapshot',
  'rds:DescribeDBClusterSnapshots',
  'rds:DescribeDBInstanceAutomatedBackups',
  'rds:DeleteDBClusterSnapshot',
  'rds:RestoreDBInstanceFromDBSnapshot',
  'rds:RestoreDBClusterFromSnapshot',
  'rds:DescribeDBParameterGroups',
  'rds:DescribeDBClusterParameterGroups',
  'rds:DescribeOptionGroups',
  'rds:RestoreDBInstanceToPointInTime',
  'rds:RestoreDBClusterToPointInTime',
  'rds:CopyDBSnapshot',
  'rds:CopyDBClusterSnapshot',
  'rds:AddTagsToResource',
] as const;

interface Statement {
  Effect?: string;
  Action?: string | string[];
  NotAction?: string | string[];
}

/** An IAM action pattern (`rds:Describe*`, `*`) matched the way IAM does: case-insensitive, `*` and `?` wildcards. */
function matches(pattern: string, action: string): boolean {
  const expression = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${expression}$`, 'i').test(action);
}

function list(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function statementCovers(statement: Statement, action: string): boolean {
  if (statement.NotAction !== undefined) return !list(statement.NotAction).some((pattern) => matches(pattern, action));
  return list(statement.Action).some((pattern) => matches(pattern, action));
}

/**
 * The required permissions the policy documents do not grant: allowed by some statement and denied by
 * none. Resources and conditions are not evaluated (Haven's calls name many resources); an allow limited
 * to some resources counts as granted, so the check finds what is plainly missing, not every refusal.
 */
export function missingPermissions(documents: readonly string[], required: readonly string[] = REQUIRED_PERMISSIONS): string[] {
  const statements = documents.flatMap((document) => {
    const parsed = JSON.parse(decodeURIComponent(document)) as { Statement?: Statement | Statement[] };
    return Array.isArray(parsed.Statement) ? parsed.Statement : parsed.Statement ? [parsed.Statement] : [];
  });
  const effect = (statement: Statement) => (statement.Effect ?? '').toLowerCase();
  return required.filter(
    (action) =>
      !statements.some((s) => effect(s) === 'allow' && statementCovers(s, action)) || statements.some((s) => effect(s) === 'deny' && statementCovers(s, action)),
  );
}

/** The principal an ARN names: an IAM user, or the role behind an assumed-role session. */
export function principalOf(arn: string): { kind: 'user' | 'role'; name: string } | undefined {
  const user = /^arn:aws[\w-]*:iam::\d+:user\/(?:.*\/)?([^/]+)$/.exec(arn);
  if (user) return { kind: 'user', name: user[1]! };
  const session = /^arn:aws[\w-]*:sts::\d+:assumed-role\/([^/]+)\/[^/]+$/.exec(arn);
  if (session) return { kind: 'role', name: session[1]! };
  return undefined;
}

/**
 * Every policy document attached to the principal (managed policies' default versions, inline policies
 * and, for a user, its groups'). Read from IAM rather than asked of SimulatePrincipalPolicy, which not every
 * IAM implementation offers and which needs a further permission.
 */
async function attachedDocuments(iam: IAMClient, principal: { kind: 'user' | 'role'; name: string }): Promise<string[]> {
  const managedArns: string[] = [];
  const documents: string[] = [];
  if (principal.kind === 'user') {
    const attached = await iam.send(new ListAttachedUserPoliciesCommand({ UserName: principal.name }));
    managedArns.push(...(attached.AttachedPolicies ?? []).flatMap((p) => (p.PolicyArn ? [p.PolicyArn] : [])));
    for (const name of (await iam.send(new ListUserPoliciesCommand({ UserName: principal.name }))).PolicyNames ?? []) {
      documents.push((await iam.send(new GetUserPolicyCommand({ UserName: principal.name, PolicyName: name }))).PolicyDocument ?? '{}');
    }
    for (const group of (await iam.send(new ListGroupsForUserCommand({ UserName: principal.name }))).Groups ?? []) {
      const byGroup = await iam.send(new ListAttachedGroupPoliciesCommand({ GroupName: group.GroupName }));
      managedArns.push(...(byGroup.AttachedPolicies ?? []).flatMap((p) => (p.PolicyArn ? [p.PolicyArn] : [])));
    }
  } else {
    const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: principal.name }));
    managedArns.push(...(attached.AttachedPolicies ?? []).flatMap((p) => (p.PolicyArn ? [p.PolicyArn] : [])));
    for (const name of (await iam.send(new ListRolePoliciesCommand({ RoleName: principal.name }))).PolicyNames ?? []) {
      documents.push((await iam.send(new GetRolePolicyCommand({ RoleName: principal.name, PolicyName: name }))).PolicyDocument ?? '{}');
    }
  }
  for (const arn of managedArns) {
    const policy = await iam.send(new GetPolicyCommand({ PolicyArn: arn }));
    const version = await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: policy.Policy?.DefaultVersionId }));
    documents.push(version.PolicyVersion?.Document ?? '{}');
  }
  return documents;
}

export interface AccountCheck {
  accountId: string;
  arn: string;
  missing: string[];
}

/** Who the access is and which required permissions its policies lack; throws what AWS answered when it cannot tell. */
export async function checkAccount(access: AccountAccess): Promise<AccountCheck> {
  const identity = await callerIdentity(access);
  // The account's root user may do everything (and should not be used, but is not refused).
  if (/^arn:aws[\w-]*:iam::\d+:root$/.test(identity.arn)) return { ...identity, missing: [] };
  const principal = principalOf(identity.arn);
  if (!principal) throw new RdsError('RDS_ACCESS_DENIED', `the permissions of ${identity.arn} cannot be read from IAM: use an IAM user's keys or a role`);
  const iam = new IAMClient({ region: AWS_HOME_REGION, credentials: credentialsFor(access) });
  try {
    return { ...identity, missing: missingPermissions(await attachedDocuments(iam, principal)) };
  } finally {
    iam.destroy();
  }
}
