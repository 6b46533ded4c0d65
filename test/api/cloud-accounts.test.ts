import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloudAccounts } from '../../lib/db/schema/index.js';
import { missingPermissions, REQUIRED_PERMISSIONS } from '../../lib/aws/permissions.js';
import { uniqueName } from '../support/stack-env.js';
import { awsUser, HAVEN_POLICY_ACTIONS, HOME, useMotoEndpoints } from '../rds/helpers/aws.js';
import { expectStatus, unique } from './helpers/fixtures.js';
import { RecordingLauncher } from './helpers/recording-launcher.js';
import { authorized, startTestApi, type Client, type TestApi } from './helpers/test-api.js';

let api: TestApi;
let admin: Client;
let operator: Client;
let orgId: string;

beforeAll(async () => {
  useMotoEndpoints();
  api = await startTestApi({ launcher: new RecordingLauncher() });
  const organization = await api.createOrganization();
  orgId = organization.orgId;
  admin = authorized(api.app, organization.keys.admin);
  operator = authorized(api.app, organization.keys.operator);
});
afterAll(() => api?.close());

const keysAuth = (keys: { accessKeyId: string; secretAccessKey: string }) => ({ kind: 'ACCESS_KEYS', accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey });

describe('POST /cloud-accounts', () => {
  it('checks the keys with AWS, stores them encrypted and never returns or logs them', async () => {
    const keys = await awsUser(HAVEN_POLICY_ACTIONS);
    const created = expectStatus<Record<string, unknown>>(await admin.post('/cloud-accounts', { name: unique('aws'), regions: [HOME], auth: keysAuth(keys) }), 201);
    expect(created).toMatchObject({ authKind: 'ACCESS_KEYS', hasCredentials: true, awsAccountId: '123456789012', regions: [HOME], roleArn: null, externalId: `haven-${orgId}` });
    expect(JSON.stringify(created)).not.toContain(keys.secretAccessKey);
    expect(JSON.stringify(expectStatus(await admin.get('/cloud-accounts'), 200))).not.toContain(keys.secretAccessKey);
    const [row] = await api.running.database.db.select().from(cloudAccounts).where(eq(cloudAccounts.id, created.id as string));
    expect(row!.credentialsCiphertext).not.toContain(keys.secretAccessKey);
    expect(row!.credentialsCiphertext).not.toContain(keys.accessKeyId);
    expect(api.logText()).not.toContain(keys.secretAccessKey);
  });

  it('refuses keys whose policies lack permissions, naming each one missing (422)', async () => {
    const keys = await awsUser(['rds:Describe*', 'rds:CreateDBSnapshot', 'iam:ListAccountAliases', 'ec2:DescribeRegions']);
    const refused = await admin.post('/cloud-accounts', { name: unique('aws'), regions: [HOME], auth: keysAuth(keys) });
    expect(refused.statusCode).toBe(422);
    const problem = refused.json<{ detail: string; errors: { field: string }[] }>();
    expect(problem.errors[0]!.field).toBe('body.auth');
    for (const permission of ['rds:CopyDBSnapshot', 'rds:DeleteDBSnapshot', 'rds:RestoreDBInstanceFromDBSnapshot', 'kms:DescribeKey', 'ec2:DescribeSecurityGroups']) {
      expect(problem.detail).toContain(permission);
    }
    expect(problem.detail).not.toContain('rds:DescribeDBInstances,');
    expect(problem.detail).toContain(`user/${keys.userName}`);
  });

  it('counts an explicit deny as missing', async () => {
    const keys = await awsUser(HAVEN_POLICY_ACTIONS, ['rds:DeleteDBSnapshot']);
    const refused = await admin.post('/cloud-accounts', { name: unique('aws'), regions: [HOME], auth: keysAuth(keys) });
    expect(refused.statusCode).toBe(422);
    expect(refused.json<{ detail: string }>().detail).toMatch(/lacks permissions Haven needs: rds:DeleteDBSnapshot$/);
  });

  it('refuses keys AWS does not know (422 naming the field)', async () => {
    const refused = await admin.post('/cloud-accounts', { name: unique('aws'), regions: [HOME], auth: { kind: 'ACCESS_KEYS', accessKeyId: 'AKIAUNKNOWNUNKNOWN00', secretAccessKey: 'x' } });
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({ errors: [{ field: 'body.auth' }] });
  });

  it('assumes a role with the organization\'s external id, checking the role\'s policies', async () => {
    const iam = new IAMClient({ region: HOME });
    const roleName = uniqueName('haven-role');
    const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': `haven-${orgId}` } } }] };
    const role = await iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: JSON.stringify(trust) }));
    await iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: 'haven', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: HAVEN_POLICY_ACTIONS, Resource: '*' }] }) }));
    const created = expectStatus<Record<string, unknown>>(await admin.post('/cloud-accounts', { name: unique('role'), regions: [HOME], auth: { kind: 'ASSUME_ROLE', roleArn: role.Role!.Arn } }), 201);
    expect(created).toMatchObject({ authKind: 'ASSUME_ROLE', roleArn: role.Role!.Arn, hasCredentials: false, externalId: `haven-${orgId}` });
    const weak = uniqueName('weak-role');
    const weakRole = await iam.send(new CreateRoleCommand({ RoleName: weak, AssumeRolePolicyDocument: JSON.stringify(trust) }));
    iam.destroy();
    const refused = await admin.post('/cloud-accounts', { name: unique('role'), regions: [HOME], auth: { kind: 'ASSUME_ROLE', roleArn: weakRole.Role!.Arn } });
    expect(refused.statusCode).toBe(422);
    expect(refused.json<{ detail: string }>().detail).toContain(`assumed-role/${weak}/`);
  });

  it('takes an admin: an operator is refused (403)', async () => {
    const keys = await awsUser(HAVEN_POLICY_ACTIONS);
    expect((await operator.post('/cloud-accounts', { name: unique('aws'), regions: [HOME], auth: keysAuth(keys) })).statusCode).toBe(403);
  });

  it('refuses what the schema does not allow, naming the field (400)', async () => {
    for (const body of [
      { name: 'x', regions: [], auth: { kind: 'ASSUME_ROLE', roleArn: 'arn:aws:iam::123456789012:role/r' } },
      { name: 'x', regions: ['mars-1'], auth: { kind: 'ASSUME_ROLE', roleArn: 'arn:aws:iam::123456789012:role/r' } },
      { name: 'x', regions: [HOME], auth: { kind: 'ASSUME_ROLE', roleArn: 'not-an-arn' } },
      { name: 'x', regions: [HOME], auth: { kind: 'ACCESS_KEYS', accessKeyId: 'AKIA1234567890123456' } },
    ]) {
      expect((await admin.post('/cloud-accounts', body)).statusCode, JSON.stringify(body)).toBe(400);
    }
  });
});

describe('the permission check', () => {
  it('grants through wildcards and NotAction, and lets a deny win', () => {
    const allow = (statement: object) => JSON.stringify({ Statement: [statement] });
    expect(missingPermissions([allow({ Effect: 'Allow', Action: '*', Resource: '*' })])).toEqual([]);
    expect(missingPermissions([allow({ Effect: 'Allow', NotAction: 'kms:*', Resource: '*' })])).toEqual(['kms:CreateGrant', 'kms:DescribeKey']);
    expect(missingPermissions([allow({ Effect: 'Allow', Action: ['RDS:describe*'] })], ['rds:DescribeDBInstances'])).toEqual([]);
    expect(missingPermissions([allow({ Effect: 'Allow', Action: '*' }), allow({ Effect: 'Deny', Action: 'rds:Copy*' })]).sort()).toEqual(['rds:CopyDBClusterSnapshot', 'rds:CopyDBSnapshot']);
    expect(missingPermissions([])).toEqual([...REQUIRED_PERMISSIONS]);
  });
});

describe('DELETE /cloud-accounts/{id}', () => {
  it('removes an account nothing uses', async () => {
    const keys = await awsUser(HAVEN_POLICY_ACTIONS);
    const created = expectStatus<{ id: string }>(await admin.post('/cloud-accounts', { name: unique('aws'), regions: [HOME], auth: keysAuth(keys) }), 201);
    expectStatus(await admin.delete(`/cloud-accounts/${created.id}`), 204);
    expect((await admin.get(`/cloud-accounts/${created.id}`)).statusCode).toBe(404);
  });

  it('refuses while an RDS definition uses it (409 naming it)', async () => {
    const keys = await awsUser(HAVEN_POLICY_ACTIONS);
    const created = expectStatus<{ id: string }>(await admin.post('/cloud-accounts', { name: unique('aws'), regions: [HOME], auth: keysAuth(keys) }), 201);
    const definition = expectStatus<{ id: string; name: string }>(
      await admin.post('/rds-backup-definitions', { name: unique('rds'), cloudAccountId: created.id, region: HOME, databaseType: 'INSTANCE', databaseIdentifier: 'db1' }),
      201,
    );
    const refused = await admin.delete(`/cloud-accounts/${created.id}`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'still-referenced', references: [{ kind: 'rds-backup-definition', id: definition.id }] });
  });
});
