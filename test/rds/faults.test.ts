import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectStatus } from '../api/helpers/fixtures.js';
import { startBackupStack, type BackupStack } from '../backup/helpers/backup-stack.js';
import { eventually } from '../emulator/helpers/cluster.js';
import { stackEnv } from '../support/stack-env.js';
import { startAwsFaults, type AwsFaults } from './helpers/aws-faults.js';
import { AWAY, createInstance, HOME, snapshotsOf, useMotoEndpoints } from './helpers/aws.js';
import { createRdsDefinition, rdsFixtures, pointsOfDefinition, runRds, untilJobEnds, type JobView } from './helpers/rds-api.js';

/** RDS runs when AWS refuses a snapshot because a copy runs, and when a run is cancelled while AWS is slow. */
let stack: BackupStack;
let faults: AwsFaults;
let accountId: string;
let policyId: string;
let copyPolicyId: string;

beforeAll(async () => {
  useMotoEndpoints();
  faults = await startAwsFaults(stackEnv('AWS_ENDPOINT_URL_RDS'));
  // This file's process only: the SDK reads the variable when each client is made.
  process.env.AWS_ENDPOINT_URL_RDS = faults.endpoint;
  stack = await startBackupStack();
  ({ accountId, policyId, copyPolicyId } = await rdsFixtures(stack.client));
}, 180_000);

afterAll(async () => {
  await faults?.close();
  await stack?.close();
});

describe('AWS refusing or stalling an RDS run', () => {
  it('skips the run, saying why, when AWS refuses a snapshot because a copy is running', async () => {
    const database = await createInstance(HOME);
    const definition = await createRdsDefinition(stack.client, { cloudAccountId: accountId, databaseIdentifier: database, policyId, copy: { region: AWAY, policyId: copyPolicyId } });
    faults.fail('CreateDBSnapshot', 'InvalidDBInstanceState', `Cannot create a snapshot of ${database} because a copy of one of its snapshots is in progress`);
    try {
      const job = await runRds(stack.client, definition.id, { mode: 'SNAPSHOT_AND_COPY' });
      expect(job).toMatchObject({ status: 'SKIPPED', skipReason: expect.stringContaining('a copy of one of its snapshots is in progress') });
    } finally {
      faults.clear();
    }
    expect(await pointsOfDefinition(stack.client, definition.id)).toEqual([]);
    expect(await snapshotsOf(HOME, 'INSTANCE', database)).toEqual([]);
  });

  it('fails, naming AWS\'s reason, when AWS refuses for another reason', async () => {
    const database = await createInstance(HOME);
    const definition = await createRdsDefinition(stack.client, { cloudAccountId: accountId, databaseIdentifier: database, policyId });
    faults.fail('CreateDBSnapshot', 'SnapshotQuotaExceeded', 'Cannot create more than 100 manual snapshots');
    try {
      const job = await runRds(stack.client, definition.id);
      expect(job.status).toBe('FAILED');
      expect(job.message).toContain('SnapshotQuotaExceeded');
      expect(job.message).toContain('Cannot create more than 100 manual snapshots');
    } finally {
      faults.clear();
    }
  });

  it('is cancelled while it waits for AWS: the job ends CANCELLED and the snapshot it made is deleted again', async () => {
    const database = await createInstance(HOME);
    const definition = await createRdsDefinition(stack.client, { cloudAccountId: accountId, databaseIdentifier: database, policyId });
    faults.holdAfter('CreateDBSnapshot', 'DescribeDBSnapshots');
    try {
      const started = expectStatus<JobView>(await stack.client.post(`/rds-backup-definitions/${definition.id}/actions/run`, {}), 202);
      await eventually(async () => faults.held() > 0, 'the wait to ask AWS about the snapshot');
      const waiting = expectStatus<JobView>(await stack.client.get(`/jobs/${started.id}`), 200);
      expect(waiting).toMatchObject({ status: 'RUNNING', message: expect.stringContaining('Waiting for snapshot') });
      expect(await snapshotsOf(HOME, 'INSTANCE', database)).toHaveLength(1);
      expectStatus(await stack.client.post(`/jobs/${started.id}/actions/cancel`, {}), 202);
      const job = await untilJobEnds(stack.client, started.id);
      expect(job.status).toBe('CANCELLED');
      expect(job.message).toContain('cancelled');
    } finally {
      faults.clear();
    }
    expect(await snapshotsOf(HOME, 'INSTANCE', database)).toEqual([]);
    expect(await pointsOfDefinition(stack.client, definition.id)).toEqual([]);
  });
});
