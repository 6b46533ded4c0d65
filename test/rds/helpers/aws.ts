import { AttachUserPolicyCommand, CreateAccessKeyCommand, CreatePolicyCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  CreateDBClusterCommand,
  CreateDBInstanceCommand,
  DeleteDBInstanceCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBSnapshotsCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { stackEnv, uniqueName } from '../../support/stack-env.js';

/**
 * moto answers every AWS service on one endpoint. A stack started before it exported the STS and IAM
 * endpoints only names RDS's: the same server answers them, so fall back to it (the SDK reads these).
 */
export function useMotoEndpoints(): void {
  const endpoint = stackEnv('AWS_ENDPOINT_URL_RDS');
  motoEndpoint = endpoint;
  process.env.AWS_ENDPOINT_URL_STS ??= endpoint;
  process.env.AWS_ENDPOINT_URL_IAM ??= endpoint;
}

/** The database's own region and the copy region of these tests. */
export const HOME = 'us-east-1';
export const AWAY = 'eu-west-1';

/** What Haven needs, granted the way administrators write it: with wildcards. */
export const HAVEN_POLICY_ACTIONS = ['rds:*', 'ec2:Describe*', 'kms:CreateGrant', 'kms:DescribeKey', 'iam:ListAccountAliases'];

/** A fresh IAM user with one managed policy allowing `actions`, and its access keys (moto checks nothing else). */
export async function awsUser(actions: string[], deny: string[] = []): Promise<{ accessKeyId: string; secretAccessKey: string; userName: string }> {
  const iam = new IAMClient({ region: HOME });
  try {
    const userName = uniqueName('haven-user');
    await iam.send(new CreateUserCommand({ UserName: userName }));
    const statements = [{ Effect: 'Allow', Action: actions, Resource: '*' }, ...(deny.length ? [{ Effect: 'Deny', Action: deny, Resource: '*' }] : [])];
    const policy = await iam.send(new CreatePolicyCommand({ PolicyName: userName, PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: statements }) }));
    await iam.send(new AttachUserPolicyCommand({ UserName: userName, PolicyArn: policy.Policy!.Arn }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: userName }))).AccessKey!;
    return { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey!, userName };
  } finally {
    iam.destroy();
  }
}

/** moto itself, as the stack exported it: the tests' own calls never go through a fault proxy (aws-faults.ts). */
let motoEndpoint: string | undefined;

export function rds(region: string): RDSClient {
  return new RDSClient({ region, ...(motoEndpoint ? { endpoint: motoEndpoint } : {}) });
}

/** A PostgreSQL instance in moto (available at once). */
export async function createInstance(region: string, identifier = uniqueName('db').replace(/[^a-z0-9-]/g, '')): Promise<string> {
  const client = rds(region);
  try {
    await client.send(
      new CreateDBInstanceCommand({ DBInstanceIdentifier: identifier, Engine: 'postgres', DBInstanceClass: 'db.t3.micro', MasterUsername: 'haven', MasterUserPassword: 'not-a-secret-1', AllocatedStorage: 20 }),
    );
    return identifier;
  } finally {
    client.destroy();
  }
}

export async function createAuroraCluster(region: string, identifier = uniqueName('aurora').replace(/[^a-z0-9-]/g, '')): Promise<string> {
  const client = rds(region);
  try {
    await client.send(new CreateDBClusterCommand({ DBClusterIdentifier: identifier, Engine: 'aurora-postgresql', MasterUsername: 'haven', MasterUserPassword: 'not-a-secret-1' }));
    return identifier;
  } finally {
    client.destroy();
  }
}

export async function deleteInstance(region: string, identifier: string): Promise<void> {
  const client = rds(region);
  try {
    await client.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: identifier, SkipFinalSnapshot: true }));
  } finally {
    client.destroy();
  }
}

/** The manual snapshots AWS holds of an instance (or cluster) in a region, by identifier. */
export async function snapshotsOf(region: string, type: 'INSTANCE' | 'CLUSTER', databaseIdentifier: string): Promise<string[]> {
  const client = rds(region);
  try {
    if (type === 'INSTANCE') {
      const found = await client.send(new DescribeDBSnapshotsCommand({ SnapshotType: 'manual' }));
      return (found.DBSnapshots ?? []).filter((s) => s.DBInstanceIdentifier === databaseIdentifier).map((s) => s.DBSnapshotIdentifier!);
    }
    const found = await client.send(new DescribeDBClusterSnapshotsCommand({ SnapshotType: 'manual' }));
    return (found.DBClusterSnapshots ?? []).filter((s) => s.DBClusterIdentifier === databaseIdentifier).map((s) => s.DBClusterSnapshotIdentifier!);
  } finally {
    client.destroy();
  }
}

/** A cloud account body the API accepts (a fresh IAM user's keys with Haven's permissions). */
export async function cloudAccountBody(name: string): Promise<Record<string, unknown>> {
  const keys = await awsUser(HAVEN_POLICY_ACTIONS);
  return { name, regions: [HOME, AWAY], auth: { kind: 'ACCESS_KEYS', accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey } };
}
