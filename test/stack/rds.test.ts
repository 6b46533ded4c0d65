import {
  CreateDBInstanceCommand,
  CreateDBSnapshotCommand,
  DescribeDBSnapshotsCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { afterAll, describe, expect, it } from 'vitest';
import { stackEnv, uniqueName } from '../support/stack-env.js';

describe('moto RDS from the local stack', () => {
  const rds = new RDSClient({
    endpoint: stackEnv('AWS_ENDPOINT_URL_RDS'),
    region: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  afterAll(() => rds.destroy());

  it('creates an instance, snapshots it and lists the snapshot', async () => {
    const instance = uniqueName('db');
    const snapshot = uniqueName('snap');
    const created = await rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: instance,
        Engine: 'postgres',
        DBInstanceClass: 'db.t3.micro',
        AllocatedStorage: 20,
        MasterUsername: 'haven',
        MasterUserPassword: 'not-a-real-password',
      }),
    );
    expect(created.DBInstance?.DBInstanceIdentifier).toBe(instance);

    const snap = await rds.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: instance, DBSnapshotIdentifier: snapshot }));
    expect(snap.DBSnapshot?.DBSnapshotIdentifier).toBe(snapshot);

    const listed = await rds.send(new DescribeDBSnapshotsCommand({ DBInstanceIdentifier: instance, SnapshotType: 'manual' }));
    const ids = (listed.DBSnapshots ?? []).map((s) => s.DBSnapshotIdentifier);
    expect(ids).toEqual([snapshot]);
    expect(listed.DBSnapshots?.[0]?.Status).toBe('available');
  });
});
