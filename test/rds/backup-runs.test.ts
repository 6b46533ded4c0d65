import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectStatus } from '../api/helpers/fixtures.js';
import { startBackupStack, type BackupStack } from '../backup/helpers/backup-stack.js';
import { AWAY, createAuroraCluster, createInstance, deleteInstance, HOME, snapshotsOf, useMotoEndpoints } from './helpers/aws.js';
import { createRdsDefinition, rdsFixtures, pointsOfDefinition, runRds } from './helpers/rds-api.js';

let stack: BackupStack;
let accountId: string;
let policyId: string;
let copyPolicyId: string;

beforeAll(async () => {
  useMotoEndpoints();
  stack = await startBackupStack();
  ({ accountId, policyId, copyPolicyId } = await rdsFixtures(stack.client));
}, 180_000);

afterAll(async () => {
  await stack?.close();
});

const DAY = 86_400_000;
const days = (point: { expiresAt: string }, from: number) => Math.round((Date.parse(point.expiresAt) - from) / DAY);

describe('an RDS backup run', () => {
  it('snapshots an instance and records an awsrds recovery point with the policy\'s retention', async () => {
    const database = await createInstance(HOME);
    const definition = await createRdsDefinition(stack.client, { cloudAccountId: accountId, databaseIdentifier: database, policyId });
    const job = await runRds(stack.client, definition.id);
    expect(job).toMatchObject({ kind: 'RDS_BACKUP', status: 'COMPLETED' });
    expect(job.temporalUiUrl).toContain('/workflows/');
    const [point, ...others] = await pointsOfDefinition(stack.client, definition.id);
    expect(others).toEqual([]);
    expect(point).toMatchObject({ type: 'SNAPSHOT', sourceType: 'awsrds', clusterName: database, storageTargetId: null, rds: { region: HOME, databaseIdentifier: database } });
    expect(days(point!, Date.now())).toBe(7);
    expect(await snapshotsOf(HOME, 'INSTANCE', database)).toEqual([point!.rds!.snapshotIdentifier]);
    // The same endpoints and filters as clusters' jobs.
    const listed = expectStatus<{ items: { id: string }[] }>(await stack.client.get(`/jobs?kind=RDS_BACKUP&definitionId=${definition.id}`), 200);
    expect(listed.items.map((j) => j.id)).toEqual([job.id]);
  });

  it('snapshots an Aurora cluster', async () => {
    const cluster = await createAuroraCluster(HOME);
    const definition = await createRdsDefinition(stack.client, { cloudAccountId: accountId, databaseType: 'CLUSTER', databaseIdentifier: cluster, policyId });
    expect(await runRds(stack.client, definition.id)).toMatchObject({ status: 'COMPLETED' });
    const [point] = await pointsOfDefinition(stack.client, definition.id);
    expect(await snapshotsOf(HOME, 'CLUSTER', cluster)).toEqual([point!.rds!.snapshotIdentifier]);
  });

  it('copies to another region, keeping the source, each with its own policy\'s retention', async () => {
    const database = await createInstance(HOME);
    const definition = await createRdsDefinition(stack.client, { cloudAccountId: accountId, databaseIdentifier: database, policyId, copy: { region: AWAY, policyId: copyPolicyId } });
    expect(await runRds(stack.client, definition.id, { mode: 'SNAPSHOT_AND_COPY' })).toMatchObject({ status: 'COMPLETED' });
    const points = await pointsOfDefinition(stack.client, definition.id);
    const source = points.find((p) => p.type === 'SNAPSHOT')!;
    const copy = points.find((p) => p.type === 'COPY')!;
    expect(copy.rds).toMatchObject({ region: AWAY, copiedFrom: { region: HOME, snapshotIdentifier: source.rds!.snapshotIdentifier } });
    expect(days(source, Date.now())).toBe(7);
    expect(days(copy, Date.now())).toBe(30);
    expect(await snapshotsOf(AWAY, 'INSTANCE', database)).toEqual([copy.rds!.snapshotIdentifier]);
  });

  it('removes the source snapshot once its copy is available when asked', async () => {
    const database = await createInstance(HOME);
    const definition = await createRdsDefinition(stack.client, { cloudAccountId: accountId, databaseIdentifier: database, policyId, copy: { region: AWAY, policyId: copyPolicyId, removeSource: true } });
    expect(await runRds(stack.client, definition.id, { mode: 'SNAPSHOT_AND_COPY' })).toMatchObject({ status: 'COMPLETED' });
    const points = await pointsOfDefinition(stack.client, definition.id);
    expect(points.map((p) => [p.type, p.rds!.region])).toEqual([['COPY', AWAY]]);
    expect(await snapshotsOf(HOME, 'INSTANCE', database)).toEqual([]);
    expect(await snapshotsOf(AWAY, 'INSTANCE', database)).toHaveLength(1);
  });

  it('copies only the newest kept snapshot with COPY_ONLY (an ad-hoc copy), making no new snapshot', async () => {
    const database = await createInstance(HOME);
    const definition = await createRdsDefinition(stack.client, { cloudAccountId: accountId, databaseIdentifier: database, policyId, copy: { region: AWAY, policyId: copyPolicyId } });
    const nothing = await runRds(stack.client, definition.id, { mode: 'COPY_ONLY' });
    expect(nothing.status).toBe('FAILED');
    expect(nothing.message).toContain('run a snapshot first');
    await runRds(stack.client, definition.id);
    const [first] = await pointsOfDefinition(stack.client, definition.id);
    expect(await runRds(stack.client, definition.id, { mode: 'COPY_ONLY', retentionDays: 3 })).toMatchObject({ status: 'COMPLETED' });
    const copy = (await pointsOfDefinition(stack.client, definition.id)).find((p) => p.type === 'COPY')!;
    expect(copy.rds!.copiedFrom!.region).toBe(HOME);
    expect(days(copy, Date.now())).toBe(3);
    expect(await snapshotsOf(HOME, 'INSTANCE', database)).toEqual([first!.rds!.snapshotIdentifier]);
  });

  it('fails naming why when AWS refuses the snapshot (the database is gone), leaving no recovery point', async () => {
    const database = await createInstance(HOME);
    const definition = await createRdsDefinition(stack.client, { cloudAccountId: accountId, databaseIdentifier: database, policyId });
    await deleteInstance(HOME, database);
    const job = await runRds(stack.client, definition.id);
    expect(job.status).toBe('FAILED');
    expect(job.message).toMatch(/DBInstanceNotFound/);
    expect(job.errors[0]).toMatchObject({ resource: `RDS ${database}` });
    expect(await pointsOfDefinition(stack.client, definition.id)).toEqual([]);
  });
});
