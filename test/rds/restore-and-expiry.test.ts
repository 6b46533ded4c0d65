import { CreateDBParameterGroupCommand, DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPolicy, expectStatus } from '../api/helpers/fixtures.js';
import { startBackupStack, type BackupStack } from '../backup/helpers/backup-stack.js';
import { eventually } from '../emulator/helpers/cluster.js';
import { startExpiryPass } from '../retention/helpers.js';
import { uniqueName } from '../support/stack-env.js';
import { AWAY, createInstance, HOME, rds, snapshotsOf, useMotoEndpoints } from './helpers/aws.js';
import { createCloudAccount, createRdsDefinition, pointsOfDefinition, runRds, untilJobEnds, type JobView, type PointView } from './helpers/rds-api.js';

let stack: BackupStack;
let accountId: string;
let database: string;
let source: PointView;
let copy: PointView;

const DAY = 86_400_000;
const newName = () => uniqueName('restored').replace(/[^a-z0-9-]/g, '');

async function instance(region: string, identifier: string) {
  const client = rds(region);
  try {
    return (await client.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: identifier }))).DBInstances?.[0];
  } finally {
    client.destroy();
  }
}

async function restore(body: Record<string, unknown>): Promise<JobView> {
  const started = expectStatus<JobView>(await stack.client.post('/rds-restores', body), 202);
  expect(started).toMatchObject({ kind: 'RDS_RESTORE', status: 'RUNNING' });
  return untilJobEnds(stack.client, started.id);
}

beforeAll(async () => {
  useMotoEndpoints();
  stack = await startBackupStack();
  accountId = (await createCloudAccount(stack.client)).id;
  const policyId = (await createPolicy(stack.client, { schedules: [{ cron: '0 3 * * *', retentionDays: 7 }] })).id;
  const copyPolicyId = (await createPolicy(stack.client, { schedules: [{ cron: '0 4 * * *', retentionDays: 30 }] })).id;
  database = await createInstance(HOME);
  const definition = await createRdsDefinition(stack.client, { cloudAccountId: accountId, databaseIdentifier: database, policyId, copy: { region: AWAY, policyId: copyPolicyId } });
  await runRds(stack.client, definition.id, { mode: 'SNAPSHOT_AND_COPY' });
  const points = await pointsOfDefinition(stack.client, definition.id);
  source = points.find((p) => p.type === 'SNAPSHOT')!;
  copy = points.find((p) => p.type === 'COPY')!;
}, 180_000);

afterAll(async () => {
  await stack?.close();
});

describe('an RDS restore', () => {
  it('makes a new instance in the copy region from the copy, with the class and parameter group asked for', async () => {
    const client = rds(AWAY);
    const parameterGroup = uniqueName('pg').replace(/[^a-z0-9-]/g, '');
    await client.send(new CreateDBParameterGroupCommand({ DBParameterGroupName: parameterGroup, DBParameterGroupFamily: 'postgres16', Description: 'restore test' }));
    client.destroy();
    const target = newName();
    const job = await restore({ source: { kind: 'RECOVERY_POINT', recoveryPointId: copy.id }, target: { identifier: target, instanceClass: 'db.t3.small', parameterGroupName: parameterGroup, securityGroupIds: ['sg-0a1b2c3d'] } });
    expect(job).toMatchObject({ status: 'COMPLETED' });
    expect(job.message).toContain(`into ${target} in ${AWAY}`);
    const made = await instance(AWAY, target);
    expect(made).toMatchObject({ DBInstanceStatus: 'available', DBInstanceClass: 'db.t3.small', Engine: 'postgres' });
    expect(made?.DBParameterGroups?.map((g) => g.DBParameterGroupName)).toContain(parameterGroup);
  });

  it('restores the database at its latest restorable time into a new instance in its own region', async () => {
    expectStatus(await stack.client.post(`/cloud-accounts/${accountId}/actions/run-inventory`), 200);
    const [row] = expectStatus<{ items: { id: string; identifier: string }[] }>(await stack.client.get(`/rds-databases?cloudAccountId=${accountId}`), 200).items.filter((d) => d.identifier === database);
    expect(row, 'run-inventory found the database').toBeDefined();
    const target = newName();
    expect(await restore({ source: { kind: 'POINT_IN_TIME', databaseId: row!.id, restoreTime: null }, target: { identifier: target } })).toMatchObject({ status: 'COMPLETED' });
    expect(await instance(HOME, target)).toMatchObject({ DBInstanceStatus: 'available' });
  });

  it('never overwrites an existing database: the job fails naming it', async () => {
    const job = await restore({ source: { kind: 'RECOVERY_POINT', recoveryPointId: source.id }, target: { identifier: database, instanceClass: 'db.t3.large' } });
    expect(job.status).toBe('FAILED');
    expect(job.message).toContain(`a database named ${database} already exists in ${HOME}`);
    expect(await instance(HOME, database)).toMatchObject({ DBInstanceClass: 'db.t3.micro' });
  });

  it('refuses an unknown recovery point (422 naming the field) and an identifier RDS would refuse (400)', async () => {
    const unknown = await stack.client.post('/rds-restores', { source: { kind: 'RECOVERY_POINT', recoveryPointId: '00000000-0000-4000-8000-000000000000' }, target: { identifier: newName() } });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json()).toMatchObject({ code: 'invalid-reference', errors: [{ field: 'body.source.recoveryPointId' }] });
    const bad = await stack.client.post('/rds-restores', { source: { kind: 'RECOVERY_POINT', recoveryPointId: source.id }, target: { identifier: '1-not-valid' } });
    expect(bad.statusCode).toBe(400);
  });
});

describe('expiry of RDS recovery points', () => {
  it('deletes each snapshot when its own retention ends, through the same expiry pass as clusters\' points', async () => {
    const created = Date.parse(source.expiresAt) - 7 * DAY;
    const first = await startExpiryPass(stack, { now: new Date(created + 8 * DAY).toISOString() });
    expect(first.deleted).toContain(source.id);
    expect(first.deleted).not.toContain(copy.id);
    expect(await snapshotsOf(HOME, 'INSTANCE', database)).toEqual([]);
    expect(await snapshotsOf(AWAY, 'INSTANCE', database)).toEqual([copy.rds!.snapshotIdentifier]);
    const second = await startExpiryPass(stack, { now: new Date(created + 31 * DAY).toISOString() });
    expect(second.deleted).toContain(copy.id);
    expect(await snapshotsOf(AWAY, 'INSTANCE', database)).toEqual([]);
    const jobs = expectStatus<{ items: { status: string; message: string }[] }>(await stack.client.get('/jobs?kind=RECOVERY_POINT_DELETE'), 200).items;
    expect(jobs.filter((j) => j.status === 'COMPLETED')).toHaveLength(2);
  });

  it('deletes a point and its snapshot on request; SafeLock never holds an RDS point', async () => {
    const other = await createInstance(HOME);
    const policyId = (await createPolicy(stack.client, { schedules: [{ cron: '0 3 * * *', retentionDays: 7, safeLock: true }] })).id;
    const definition = await createRdsDefinition(stack.client, { cloudAccountId: accountId, databaseIdentifier: other, policyId });
    await runRds(stack.client, definition.id);
    const [point] = await pointsOfDefinition(stack.client, definition.id);
    expect(expectStatus<{ safeLock: { locked: boolean } }>(await stack.client.get(`/recovery-points/${point!.id}`), 200).safeLock.locked).toBe(false);
    expectStatus(await stack.client.delete(`/recovery-points/${point!.id}`), 202);
    await eventually(async () => (await stack.client.get(`/recovery-points/${point!.id}`)).statusCode === 404, 'the point to be deleted');
    expect(await snapshotsOf(HOME, 'INSTANCE', other)).toEqual([]);
  });
});
